import { SAMPLE_ALL, StackDistanceKernel } from "../wasm/stack-distances.js";

/** One point of a miss-ratio curve: the misses of a cache of `size` objects or bytes. */
export interface CurvePoint {
  size: number;
  misses: number;
  missRatio: number;
}

export interface StackCurveInput {
  accesses: Int32Array;
  numPages: number;
  /** Bytes per page; absent, every page counts as one object. */
  weights?: Int32Array;
}

/** SHARDS's threshold for a sampling rate, out of the hash's range: the rate it keeps is threshold / SAMPLE_ALL. */
export const shardsThreshold = (rate: number): number => Math.max(1, Math.round(rate * SAMPLE_ALL));

/**
 * LRU's misses at every size in `sizes` (ascending) from one pass of stack distances. Exact when
 * `sampleRate` is absent. Otherwise SHARDS (Waldspurger et al., FAST 2015) at the rate the hash
 * threshold keeps (`shardsThreshold`): the other pages of a sampled distance and the counts scale
 * by 1/R, and SHARDS-adj adds the difference between the expected sampled accesses (requests × R)
 * and the actual ones to the first bucket, here as hits at every size. With weights the distances
 * are byte stack distances.
 */
export function lruStackCurve(input: StackCurveInput, sizes: readonly number[], sampleRate?: number,
  kernel: StackDistanceKernel = new StackDistanceKernel()): CurvePoint[] {
  const threshold = sampleRate === undefined ? SAMPLE_ALL : shardsThreshold(sampleRate);
  const rate = threshold / SAMPLE_ALL;
  const bounds = input.weights ? Float64Array.from(sizes) : undefined;
  const { histogram, sampledAccesses } = kernel.run({ ...input, bounds, threshold });
  // cumulative[i]: reuses in the first i + 1 entries (distances up to i, or bins up to i).
  const cumulative = new Float64Array(histogram.length);
  let sum = 0;
  for (let i = 0; i < histogram.length; i++) cumulative[i] = sum += histogram[i]!;
  const requests = input.accesses.length;
  return sizes.map((size, k) => {
    // A sampled distance d stands for the page and (d − 1) / R others: a hit iff that is at most the size.
    const hits = input.weights ? cumulative[k]! : cumulative[Math.min(Math.floor((size - 1) * rate) + 1, histogram.length - 1)]!;
    const sampledMisses = sampledAccesses - hits;
    if (rate === 1) return { size, misses: sampledMisses, missRatio: requests ? sampledMisses / requests : 0 };
    const missRatio = requests ? Math.min(1, sampledMisses / (requests * rate)) : 0;
    return { size, misses: Math.round(missRatio * requests), missRatio };
  });
}
