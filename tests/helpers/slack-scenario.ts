import type { Scenario } from "../../src/hierarchy/scenario.js";

/** What the engine property tests draw: page sizes, and per tier its room beyond the largest page. */
export interface SlackCase {
  pageSizes: number[];
  tierSlack: number[];
  prefetch: boolean;
  quantization?: string;
}

/**
 * A scenario whose tier i holds the largest page plus `tierSlack[i]` bytes (so every page fits
 * every tier, and small slacks force evictions), with latencies and bandwidths that differ per
 * tier so that each move's cost tells the tiers apart.
 */
export function slackScenario(c: SlackCase): Scenario {
  const largest = Math.max(...c.pageSizes);
  return {
    name: "prop",
    quantization: c.quantization ?? "fp16",
    prefetch: { enabled: c.prefetch, maxCandidates: 2 },
    tiers: c.tierSlack.map((slack, i) => ({
      name: `t${i}`, capacityBytes: largest + slack, readLatencyMs: 0.01 * (i + 1), writeLatencyMs: 0.02 * (i + 1),
      bandwidthBytesPerMs: 1000 / (i + 1),
    })),
  };
}
