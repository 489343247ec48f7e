import { argmin, type RouterEntry } from "./router.js";

/** What a prefix block found in the host tier counts for, against one on the GPU: Dynamo's `host_cache_hit_weight`. */
export const HOST_HIT_WEIGHT = 0.75;

/**
 * NVIDIA Dynamo's KV-aware router (lib/kv-router, `DefaultWorkerScorer::worker_logit`, at its
 * defaults: overlap credit 1, host hits weighted 0.75, prefill load scale 1, temperature 0): each
 * instance costs
 *
 *   max(0, (outstanding prompt tokens + this prompt) / block size − cached prefix blocks) + KV blocks in use
 *
 * and the cheapest wins. The cached prefix is what the instance caches at the request's arrival,
 * read from its engine, as Dynamo's router knows it from the engines' KV events. Differences
 * (docs/timed.md): "outstanding" runs until a request completes, where Dynamo's prefill load
 * ends with its prefill; ties go to the lowest index, where Dynamo draws one at random.
 */
export const kvAware: RouterEntry = {
  name: "kv-aware",
  summary: "Dynamo's cost: queued prefill blocks less cached prefix blocks, plus KV blocks in use",
  readsPrefixes: true,
  make: () => ({
    route: (a, loads) => argmin(loads.map((s) => {
      const cached = s.cachedPrefix.gpu + HOST_HIT_WEIGHT * s.cachedPrefix.host;
      return Math.max(0, (s.outstandingPromptTokens + a.request.prompt) / a.blockSize - cached) + s.usedBlocks;
    })),
  }),
};
