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
