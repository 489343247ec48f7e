import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { simulate, type AuditState } from "../../src/simulate.js";
import { POLICIES } from "../../src/policies/registry.js";
import type { Scenario } from "../../src/hierarchy/scenario.js";
import { slackScenario } from "../helpers/slack-scenario.js";

const popcount = (x: number): number => {
  let n = 0;
  for (; x; x &= x - 1) n++;
  return n;
};

const caseArb = fc.record({
  pageSizes: fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 30, size: "max" }),
  tierSlack: fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 5 }),
  // size "max": fast-check otherwise sizes arrays far below maxLength.
  accesses: fc.array(fc.nat(), { minLength: 0, maxLength: 200, size: "max" }),
  prefetch: fc.boolean(),
  seed: fc.nat(),
});

type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

describe("engine invariants after every access (kvsim profile)", () => {
  it.each(POLICIES.map((p) => p.name))("%s", (policy) => {
    const params = policy === "predictive" ? { min_confidence: 1 } : {};
    fc.assert(
      fc.property(caseArb, (c) => {
        const scenario = slackScenario(c);
        const sizes = c.pageSizes;
        const accesses = Int32Array.from(c.accesses, (a) => a % sizes.length);
        const T = scenario.tiers.length;
        const check = ({ masks, tierPages, metrics: m }: AuditState): void => {
          const count = new Array<number>(T).fill(0);
          const bytes = new Array<number>(T).fill(0);
          masks.forEach((mask, page) => {
            expect(popcount(mask), `page ${page} resident in tiers ${mask.toString(2)}`).toBeLessThanOrEqual(1);
            for (let t = 0; t < T; t++) {
              if (mask & (1 << t)) {
                count[t]!++;
                bytes[t]! += sizes[page]!;
              }
            }
          });
          expect(Array.from(tierPages)).toEqual(count);
          m.tiers.forEach((tier, t) => {
            expect(tier.usedBytes).toBe(bytes[t]);
            expect(tier.usedBytes).toBeLessThanOrEqual(scenario.tiers[t]!.capacityBytes);
            // Every byte in a tier arrived by a counted transfer and left by one (or a drop).
            expect(tier.usedBytes).toBe(tier.bytesIn - tier.bytesOut - (t === T - 1 ? m.dropBytes : 0));
          });
          expect(m.hits + m.misses).toBe(m.accesses);
          expect(m.bytesMoved).toBe(m.demandBytesMoved + m.prefetchBytesMoved);
          expect(m.tiers.reduce((s, t) => s + t.bytesIn, 0)).toBe(m.bytesMoved);
          expect(m.coldMisses + m.tiers.slice(1).reduce((s, t) => s + t.hits, 0)).toBe(m.misses);
        };
        const { metrics } = simulate({
          scenario, policy, params, seed: c.seed, audit: check,
          trace: { name: "prop", numPages: sizes.length, accesses, pageBytes: Int32Array.from(sizes) },
        });
        expect(metrics.accesses).toBe(accesses.length);
        expect(metrics.usefulPrefetches + metrics.wastedPrefetches).toBe(metrics.prefetchRequests);
      }),
      { numRuns: 60, seed: 7 },
    );
  });
});

describe("belady is optimal on a single tier (equal page sizes, no prefetch)", () => {
  it("never has more misses than any other policy", () => {
    const others = POLICIES.filter((p) => p.name !== "belady").map((p) => p.name);
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 40 }),
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 300, size: "max" }),
        fc.nat(),
        (pages, slots, raw, seed) => {
          const scenario: Scenario = {
            name: "one-tier", quantization: "fp16", prefetch: { enabled: false, maxCandidates: 2 },
            tiers: [{ name: "hbm", capacityBytes: 100 * slots, readLatencyMs: 0, writeLatencyMs: 0, bandwidthBytesPerMs: 1 }],
          };
          const trace = {
            name: "t", numPages: pages, accesses: Int32Array.from(raw, (a) => a % pages),
            pageBytes: new Int32Array(pages).fill(100),
          };
          const best = simulate({ scenario, trace, policy: "belady" }).metrics.misses;
          for (const policy of others) {
            expect(best, policy).toBeLessThanOrEqual(simulate({ scenario, trace, policy, seed }).metrics.misses);
          }
        },
      ),
      { numRuns: 150, seed: 11 },
    );
  });
});
