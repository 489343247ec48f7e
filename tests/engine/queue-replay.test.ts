import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { simulate } from "../../src/simulate.js";
import { ReplayLoop } from "../../src/wasm/hierarchy.js";
import { TestHierarchyEngine } from "../helpers/test-build.js";
import { slackScenario } from "../helpers/slack-scenario.js";

/**
 * The queue policies (lru, fifo, windowed_recency when it evicts as LRU) replay through their own
 * loop in the kvsim profile (assembly/hierarchy/queue-replay.ts). It must make exactly the general
 * loop's moves: every metric, per-tier figure and event, in the same order, compared here against
 * the same engine with that loop turned off.
 */
const queueEngine = new TestHierarchyEngine();
const generalEngine = new TestHierarchyEngine();
generalEngine.allowQueueReplay(false);

const LOOP = { general: ReplayLoop.general, insertion: ReplayLoop.insertionQueue, recency: ReplayLoop.recencyQueue };

const caseArb = fc.record({
  // One size for every page (the replay then fetches records by stores) or mixed sizes.
  pageSizes: fc.oneof(
    fc.integer({ min: 2, max: 60 }).chain((n) => fc.constant(Array<number>(n).fill(8))),
    fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 2, maxLength: 40 }),
  ),
  tierSlack: fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 4 }),
  accesses: fc.array(fc.nat(), { minLength: 0, maxLength: 400, size: "max" }),
  prefetch: fc.boolean(),
  quantization: fc.constantFrom("fp16", "int4"),
});

function build(c: typeof caseArb extends fc.Arbitrary<infer T> ? T : never) {
  const trace = {
    name: "queue", numPages: c.pageSizes.length, pageBytes: Int32Array.from(c.pageSizes),
    accesses: Int32Array.from(c.accesses, (a) => a % c.pageSizes.length),
  };
  return { scenario: slackScenario(c), trace };
}

describe("queue replay vs the general loop (kvsim profile)", () => {
  it.each([
    { policy: "lru", params: {}, loop: LOOP.recency },
    { policy: "fifo", params: {}, loop: LOOP.insertion },
    { policy: "windowed_recency", params: { window_size: 1 }, loop: LOOP.recency },
  ])("$policy: same metrics, tiers and events", ({ policy, params, loop }) => {
    let queueRuns = 0;
    fc.assert(
      fc.property(caseArb, (c) => {
        const { scenario, trace } = build(c);
        const run = (engine: typeof queueEngine) => {
          const { replayMs: _, ...result } = simulate({ scenario, trace, policy, params, engine, eventCapacity: 1 << 14 });
          return { result, loop: engine.replayLoop() };
        };
        const fast = run(queueEngine);
        const general = run(generalEngine);
        expect(general.loop).toBe(LOOP.general);
        // windowed_recency keeps its window (general loop) when a tier is too small to evict as LRU.
        if (policy !== "windowed_recency") expect(fast.loop).toBe(loop);
        if (fast.loop === loop) queueRuns++;
        expect(fast.result).toEqual(general.result);
      }),
      { numRuns: 300, seed: 20261124 },
    );
    expect(queueRuns).toBeGreaterThan(100);
  });

  it("the khl profile always replays through the general loop", () => {
    const { scenario, trace } = build({ pageSizes: [4, 4, 4], tierSlack: [4, 4], accesses: [0, 1, 2, 0], prefetch: false, quantization: "fp16" });
    simulate({ scenario, trace, policy: "lru", profile: "khl", engine: queueEngine });
    expect(queueEngine.replayLoop()).toBe(LOOP.general);
    simulate({ scenario, trace, policy: "lru", engine: queueEngine });
    expect(queueEngine.replayLoop()).toBe(LOOP.recency);
  });
});
