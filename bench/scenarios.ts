import type { Scenario } from "../src/hierarchy/scenario.js";

const PAGE_BYTES = 4096; // 2048 fp16 scalars, kv-hierarchy-lab's toy page
export const tier = (name: string, pages: number, read: number, write: number, bw: number) =>
  ({ name, capacityBytes: pages * PAGE_BYTES, readLatencyMs: read, writeLatencyMs: write, bandwidthBytesPerMs: bw });

/** Four tiers; together they hold 960K of the 1M pages, so the last tier drops pages. */
export const ZIPF_BENCH_SCENARIO: Scenario = {
  name: "zipf_bench_4tier",
  quantization: "fp16",
  prefetch: { enabled: false, maxCandidates: 2 },
  tiers: [
    tier("hbm", 65_536, 0.02, 0.02, 80_000),
    tier("gpu_overflow", 131_072, 0.06, 0.06, 40_000),
    tier("host_dram", 262_144, 0.4, 0.35, 8_000),
    tier("nvme", 524_288, 2.5, 2.0, 2_000),
  ],
};
