import { GapHistogramLayout } from "../../assembly/abi/timed.js";
import type { GapHistogram } from "../wasm/timed.js";
import type { Distribution } from "./results.js";

const SHIFT = BigInt(52 - GapHistogramLayout.subBits);
const LOWEST = BigInt(1023 + GapHistogramLayout.lowestExponent) << BigInt(GapHistogramLayout.subBits);
const bits = new DataView(new ArrayBuffer(8));

/** The least double of bucket b (assembly/timed/output.ts's `gapBucket` inverted). */
function lowerBound(b: number): number {
  bits.setBigUint64(0, (BigInt(b) + LOWEST) << SHIFT);
  return bits.getFloat64(0);
}

/**
 * The token gaps' distribution read from the engine's histogram, for runs with more gaps than are
 * kept exactly: each gap stands at its bucket's midpoint (within 2^-11 of its value, relatively),
 * percentiles interpolate between ranks as `distribution` does, and the mean and maximum are exact.
 */
export function histogramDistribution(h: GapHistogram): Distribution {
  const n = h.count;
  if (n === 0) return { p50: NaN, p90: NaN, p99: NaN, mean: NaN, max: NaN };
  /** The gap of rank k (0-based) in sorted order, as its bucket's midpoint. */
  const valueAt = (k: number): number => {
    let seen = 0;
    for (let b = 0; b < h.counts.length; b++) {
      seen += h.counts[b]!;
      if (k < seen) return Math.min((lowerBound(b) + lowerBound(b + 1)) / 2, h.max);
    }
    return h.max;
  };
  const percentile = (p: number): number => {
    const rank = (p / 100) * (n - 1);
    const lo = Math.floor(rank);
    const low = valueAt(lo);
    return low + (valueAt(Math.min(lo + 1, n - 1)) - low) * (rank - lo);
  };
  return { p50: percentile(50), p90: percentile(90), p99: percentile(99), mean: h.sum / n, max: h.max };
}
