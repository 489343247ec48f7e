import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { simulate } from "../../src/simulate.js";
import { POLICIES, resolvePolicyParams } from "../../src/policies/registry.js";
import { naiveReplay } from "../reference/naive-hierarchy.js";
import { slackScenario } from "../helpers/slack-scenario.js";

/**
 * Registered policies the naive reference does not replay, each with the reason; every other
 * registered policy must have a reference (a new policy without one fails the test below).
 */
const SKIPPED: Record<string, string> = {
  random: "its victims are the engine generator's draws, which a reference could only copy; tests/engine/properties.test.ts checks its invariants",
};
const COMPARED = POLICIES.filter((p) => !(p.name in SKIPPED)).map((p) => p.name);

it("the naive reference covers every registered policy but the ones skipped, for the reason given", () => {
  for (const name of Object.keys(SKIPPED)) expect(POLICIES.map((p) => p.name), `skipped ${name} is registered`).toContain(name);
  const scenario = slackScenario({ pageSizes: [4, 4], tierSlack: [4], prefetch: false, quantization: "fp16" });
  for (const info of POLICIES.filter((p) => !(p.name in SKIPPED))) {
    expect(() => naiveReplay(scenario, [4, 4], [0, 1, 0], info.name, resolvePolicyParams(info)), info.name).not.toThrow();
  }
});
/** Sampled policies are compared in their exact mode. */
const EXACT = { samples: 0 };

const caseArb = fc.record({
  pageSizes: fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 2, maxLength: 24, size: "max" }),
  tierSlack: fc.array(fc.integer({ min: 0, max: 120 }), { minLength: 1, maxLength: 4 }),
  // size "max": fast-check otherwise sizes arrays far below maxLength.
  accesses: fc.array(fc.nat(), { minLength: 0, maxLength: 160, size: "max" }),
  prefetch: fc.boolean(),
  quantization: fc.constantFrom("fp16", "fp8", "int4", "int2"),
});

/**
 * Long skewed traces: two hot pages touched between rare accesses to the rest, so a tier's oldest
 * page is hundreds of touches old and the engine's recency logs compact and grow mid-run.
 */
const skewedAccess = fc.oneof({ arbitrary: fc.constantFrom(0, 1), weight: 19 }, { arbitrary: fc.nat(), weight: 1 });
const longCaseArb = fc.record({
  pageSizes: fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 3, maxLength: 12 }),
  tierSlack: fc.array(fc.integer({ min: 0, max: 120 }), { minLength: 1, maxLength: 3 }),
  accesses: fc.array(skewedAccess, { minLength: 500, maxLength: 3000 }),
  prefetch: fc.boolean(),
  quantization: fc.constantFrom("fp16", "fp8", "int4", "int2"),
});

type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

function build(c: Case) {
  return { scenario: slackScenario(c), sizes: c.pageSizes, accesses: c.accesses.map((a) => a % c.pageSizes.length) };
}

describe.each([
  { kind: "short traces", arb: caseArb, numRuns: 150 },
  { kind: "long traces", arb: longCaseArb, numRuns: 20 },
])("WASM engine vs naive reference (kvsim profile), $kind", ({ arb, numRuns }) => {
  it.each(COMPARED)("%s", (policy) => {
    const info = POLICIES.find((p) => p.name === policy)!;
    const overrides = info.params.some((p) => p.name === "samples") ? EXACT : {};
    const params = resolvePolicyParams(info, policy === "predictive" ? { min_confidence: 1, successor_slots: 3 } : overrides);
    fc.assert(
      fc.property(arb, (c) => {
        const { scenario, sizes, accesses } = build(c);
        const got = simulate({
          scenario, policy, params, trace: {
            name: "prop", numPages: sizes.length, accesses: Int32Array.from(accesses), pageBytes: Int32Array.from(sizes),
          },
        }).metrics;
        const want = naiveReplay(scenario, sizes, accesses, policy, params);
        for (const key of ["accesses", "hits", "misses", "coldMisses", "evictions", "drops", "bytesMoved", "demandBytesMoved",
          "prefetchBytesMoved", "prefetchRequests", "usefulPrefetches", "wastedPrefetches"] as const) {
          expect(got[key], key).toBe(want[key]);
        }
        expect(got.tiers.map((t) => t.hits)).toEqual(want.tierHits);
        expect(Math.abs(got.totalLatencyMs - want.totalLatencyMs)).toBeLessThanOrEqual(1e-9 * Math.max(1, want.totalLatencyMs));
      }),
      { numRuns, seed: 20261123 },
    );
  });
});

/**
 * windowed_recency evicts as LRU (a list head, O(1)) when every tier holds more pages than its
 * window whenever it must evict; small windows make the random scenarios above take that path in
 * many cases and the heap in the rest, and both must agree with the reference's scores.
 */
/** Short and long random cases of one policy and parameter set against the reference. */
function matchesReference(policy: string, values: Record<string, number>): void {
  const params = resolvePolicyParams(POLICIES.find((p) => p.name === policy)!, values);
  fc.assert(
    fc.property(caseArb, longCaseArb, (short, long) => {
      for (const c of [short, long]) {
        const { scenario, sizes, accesses } = build(c);
        const trace = { name: "prop", numPages: sizes.length, accesses: Int32Array.from(accesses), pageBytes: Int32Array.from(sizes) };
        const got = simulate({ scenario, policy, params, trace }).metrics;
        const want = naiveReplay(scenario, sizes, accesses, policy, params);
        expect([got.hits, got.misses, got.evictions, got.drops, got.bytesMoved]).toEqual([want.hits, want.misses, want.evictions, want.drops, want.bytesMoved]);
        expect(got.tiers.map((t) => t.hits)).toEqual(want.tierHits);
      }
    }),
    { numRuns: 60, seed: 20261124 },
  );
}

describe("WASM engine vs naive reference (kvsim profile), parameters beyond the defaults", () => {
  it.each([1, 2, 4])("windowed_recency, window_size %i", (window) => matchesReference("windowed_recency", { window_size: window }));
  // Counters above one bit: a page hit several times goes round several times.
  it.each([2, 3])("clock, bits %i", (bits) => matchesReference("clock", { bits }));
  // libCacheSim's S3-FIFO (the libcachesim profile) and each of its four rules alone.
  it.each([
    { move_to_main_threshold: 2, ghost_fifo: 1, ghost_ratio: 0.9, drain_small: 1, ghost_check_first: 1 },
    { move_to_main_threshold: 3 }, { ghost_fifo: 1, ghost_ratio: 0.5 }, { drain_small: 1 }, { ghost_check_first: 1 },
  ])("s3fifo %j", (params) => matchesReference("s3fifo", params));
  it("lfu, ties_by_recency 1", () => matchesReference("lfu", { ties_by_recency: 1 }));
  it("twoq, ain_ratio 0.5, aout_ratio 1", () => matchesReference("twoq", { ain_ratio: 0.5, aout_ratio: 1 }));
  // Q's share a few pages wide, so that pages move between the LIR set and Q (at 0.01 of these
  // small tiers, Q holds one byte and every page is larger than its share).
  it.each([0.2, 0.5])("lirs, hirs_ratio %f", (ratio) => matchesReference("lirs", { hirs_ratio: ratio }));
  // A window a few pages wide and segments of other shares (at 0.01 of these small tiers the
  // window's share is under a page), and protected at none or all of main.
  it.each([
    { window_ratio: 0.3, probation_ratio: 0.2 }, { window_ratio: 0.1, probation_ratio: 0.5 },
    { window_ratio: 0.2, probation_ratio: 0 }, { window_ratio: 0.2, probation_ratio: 1 },
  ])("tinylfu %j", (params) => matchesReference("tinylfu", params));
});
