import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { distribution } from "../../src/timed/results.js";

/** numpy's default percentile (linear interpolation between the closest ranks), by sorting: what `distribution` selects in linear time. */
function sortedPercentile(sorted: readonly number[], p: number): number {
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

describe("distribution (p50, p90, p99 by selection)", () => {
  it("equals numpy's percentiles of the sorted values, NaNs left out, with duplicates and any length", () => {
    // Few distinct values: the token gaps of one iteration are equal, so runs of ties are the common case.
    const value = fc.oneof(fc.integer({ min: 0, max: 5 }).map((k) => k / 4), fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constant(Number.NaN));
    fc.assert(fc.property(fc.array(value, { minLength: 1, maxLength: 400 }), (values) => {
      const kept = values.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
      const d = distribution(values);
      if (kept.length === 0) {
        expect(d.p50).toBeNaN();
      } else {
        expect([d.p50, d.p90, d.p99]).toEqual([50, 90, 99].map((p) => sortedPercentile(kept, p)));
        expect(d.max).toBe(kept.at(-1));
      }
    }), { seed: 7, numRuns: 400 });
  });
});
