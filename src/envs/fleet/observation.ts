import type { InstanceLoad } from "../../timed/routers/router.js";

/** What the observation says of each instance, in this order, instance by instance. */
export const INSTANCE_FEATURES = ["outstanding", "queued_prompt", "kv_used", "prefix_gpu", "prefix_host"] as const;

/**
 * Outstanding requests are divided by this and capped at 1: at the default load an instance seldom
 * holds more (a fixed scale, so the same count reads the same in every state).
 */
export const OUTSTANDING_SCALE = 32;

/** The labels of an observation over `instances` instances: each instance's features, then the request's. */
export function observationLabels(instances: number): string[] {
  const labels: string[] = [];
  for (let i = 0; i < instances; i++) for (const f of INSTANCE_FEATURES) labels.push(`${f}_${i}`);
  labels.push("prompt");
  return labels;
}

/**
 * The observation at an arrival, every value in [0, 1]: per instance, outstanding requests over
 * `OUTSTANDING_SCALE` (capped), then in units of its GPU cache: outstanding prompt tokens (capped),
 * KV blocks in use, and the blocks of the request's prompt that lead a prefix cached on its GPU
 * and, after those, in its host tier; last the request's prompt tokens (a request that fits the
 * cache is at most 1). Sizes share the cache's unit so that a router's cost that adds and subtracts
 * them, as kv-aware's does, is a linear function of the observation.
 */
export function fleetObservation(loads: readonly InstanceLoad[], promptTokens: number, kvBlocks: number, blockSize: number): number[] {
  const cacheTokens = kvBlocks * blockSize;
  const out: number[] = [];
  for (const s of loads) {
    out.push(Math.min(1, s.outstanding / OUTSTANDING_SCALE), Math.min(1, s.outstandingPromptTokens / cacheTokens), s.usedBlocks / kvBlocks,
      s.cachedPrefix.gpu / kvBlocks, s.cachedPrefix.host / kvBlocks);
  }
  out.push(Math.min(1, promptTokens / cacheTokens));
  return out;
}
