import type { Scenario } from "../hierarchy/scenario.js";

/**
 * A single cache of `capacity` bytes, the scenario of one point of a miss-ratio curve: one tier,
 * no prefetch, zero latencies (only hits and misses count). With unit pages (`withUnitPages`) its
 * capacity is a number of objects. Pages given in scalars are sized as fp16.
 */
export const oneCache = (capacity: number, unit = "bytes"): Scenario => ({
  name: `${capacity} ${unit}`, quantization: "fp16", prefetch: { enabled: false, maxCandidates: 0 },
  tiers: [{ name: "cache", capacityBytes: capacity, readLatencyMs: 0, writeLatencyMs: 0, bandwidthBytesPerMs: 1 }],
});
