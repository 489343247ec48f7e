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

/** The arriving request as the observation reads it: its prompt tokens and full prompt blocks. */
export interface ArrivingPrompt {
  tokens: number;
  blocks: number;
}

/**
 * The observation at an arrival, every value in [0, 1]: per instance, outstanding requests over
 * `OUTSTANDING_SCALE` (capped), outstanding prompt tokens over the cache's tokens (capped), KV
 * blocks in use over the cache's, and the share of the request's full prompt blocks that lead a
 * prefix cached on its GPU and, after those, in its host tier; then the prompt's tokens over the
 * cache's (a request that fits the cache is at most 1).
 */
export function fleetObservation(loads: readonly InstanceLoad[], prompt: ArrivingPrompt, kvBlocks: number, blockSize: number): number[] {
  const cacheTokens = kvBlocks * blockSize;
  const share = (blocks: number) => (prompt.blocks > 0 ? blocks / prompt.blocks : 0);
  const out: number[] = [];
  for (const s of loads) {
    out.push(Math.min(1, s.outstanding / OUTSTANDING_SCALE), Math.min(1, s.outstandingPromptTokens / cacheTokens), s.usedBlocks / kvBlocks,
      share(s.cachedPrefix.gpu), share(s.cachedPrefix.host));
  }
  out.push(Math.min(1, prompt.tokens / cacheTokens));
  return out;
}
