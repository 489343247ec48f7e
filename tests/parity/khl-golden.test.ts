import { describe, expect, it } from "vitest";
import { simulate } from "../../src/simulate.js";
import type { TierConfig } from "../../src/hierarchy/scenario.js";
import { expectClose, expectKhlMetrics, readFixtureJson, type KhlMetrics } from "../helpers/khl.js";

interface GoldenCase {
  name: string;
  tiers: TierConfig[];
  pageSizeBytes: number;
  quantization: "fp16" | "fp8" | "int4" | "int2";
  policy: string;
  params: Record<string, number>;
  prefetch: boolean;
  trace: string[];
  metrics: KhlMetrics;
  events: [number, string, string, string | null, string | null, number, number][];
}

const cases = readFixtureJson<GoldenCase[]>("kv-hierarchy-lab/golden_micro.json");

describe("kv-hierarchy-lab golden micro cases (khl profile)", () => {
  it("has the four cases", () => expect(cases).toHaveLength(4));

  for (const c of cases) {
    it(c.name, () => {
      const ids = [...new Set(c.trace)];
      const result = simulate({
        scenario: { name: c.name, tiers: c.tiers, quantization: c.quantization, prefetch: { enabled: c.prefetch, maxCandidates: 2 } },
        trace: {
          name: c.name,
          numPages: ids.length,
          accesses: Int32Array.from(c.trace, (id) => ids.indexOf(id)),
          pageBytes: new Int32Array(ids.length).fill(c.pageSizeBytes),
          pageIds: ids,
        },
        policy: c.policy,
        params: c.params,
        profile: "khl",
        eventCapacity: 1000,
      });
      expectKhlMetrics(result.metrics, c.metrics, c.name);
      const events = result.events!;
      expect(events).toHaveLength(c.events.length);
      events.forEach((e, i) => {
        const want = c.events[i]!;
        expect(e.slice(0, 5), `${c.name} event ${i}`).toEqual(want.slice(0, 5));
        expectClose(e[5], want[5], `${c.name} event ${i} latency`);
        expect(e[6], `${c.name} event ${i} bytes`).toBe(want[6]);
      });
    });
  }
});

describe("khl profile: a heap key follows a score that falls while the page stays resident", () => {
  // Quirk Q1 leaves page 1 in tier a and in the last tier c after step 4. At step 5 the cold insert
  // of page 2 drops page 1 from c, which resets lfu's count for page 1 to 0 while it is still in a.
  // Making room in a must then evict page 1 (count 0), not page 3 (count 2), as a first-minimum
  // scan of the current counts does. Before the heap was re-keyed there, it kept page 1's old count
  // and evicted page 3.
  it("lfu evicts the page whose count was just reset", () => {
    const tier = (name: string, capacityBytes: number): TierConfig =>
      ({ name, capacityBytes, readLatencyMs: 0, writeLatencyMs: 0, bandwidthBytesPerMs: 1 });
    const { events, metrics } = simulate({
      scenario: { name: "q1-reset", quantization: "fp16", prefetch: { enabled: false, maxCandidates: 0 }, tiers: [tier("a", 2), tier("b", 1), tier("c", 1)] },
      trace: { name: "q1-reset", numPages: 4, accesses: Int32Array.of(1, 3, 3, 0, 1, 2, 1), pageBytes: Int32Array.of(1, 1, 1, 1) },
      policy: "lfu", profile: "khl", eventCapacity: 100,
    });
    const step5 = events!.filter((e) => e[0] === 5).map((e) => `${e[1]} ${e[2]} ${e[3]}>${e[4]}`);
    expect(step5).toEqual(["evict 1 c>null", "evict 2 c>null", "demote 0 b>c", "demote 1 a>b", "promote 2 c>a"]);
    expect([metrics.misses, metrics.evictions]).toEqual([6, 10]);
  });
});
