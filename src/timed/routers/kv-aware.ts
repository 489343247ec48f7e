import { HashRows } from "./hash-rows.js";
import { argmin, type RouterEntry } from "./router.js";

/**
 * How long the router trusts that an instance still caches a prefix it routed there: Dynamo's
 * approximate indexer's `router_ttl_secs` default (lib/kv-router, config.rs).
 */
export const PREFIX_TTL_S = 120;

/**
 * NVIDIA Dynamo's KV-aware router (lib/kv-router, `DefaultWorkerScorer::worker_logit`, at its
 * defaults: overlap credit 1, prefill load scale 1, temperature 0): each instance costs
 *
 *   max(0, (outstanding prompt tokens + this prompt) / block size − cached prefix blocks) + KV blocks in use
 *
 * and the cheapest wins. Like Dynamo's approximate indexer (used without KV events), the router
 * knows an instance's cache only from its own decisions: the prefix blocks it routed there in the
 * last PREFIX_TTL_S seconds. Differences (docs/timed.md): "outstanding" runs until a request
 * completes, where Dynamo's prefill load ends with its prefill; ties go to the lowest index, where
 * Dynamo draws one at random.
 */
export const kvAware: RouterEntry = {
  name: "kv-aware",
  summary: "Dynamo's cost: queued prefill blocks less cached prefix blocks, plus KV blocks in use",
  make(instances) {
    // Per block hash a row of `instances` times: when the router last sent that block to each
    // (-Infinity: never). One map lookup per block of a request, whatever the number of instances.
    const rowOf = new HashRows();
    let times = new Float64Array(1024 * instances).fill(-Infinity);
    const rows: number[] = [];
    return {
      route(a, loads) {
        rows.length = 0;
        for (const h of a.hashes) {
          const row = rowOf.get(h);
          if (row < 0) break;
          rows.push(row);
        }
        const oldest = a.request.arrival - PREFIX_TTL_S;
        const costs = loads.map((s, i) => {
          let overlap = 0;
          while (overlap < rows.length && times[rows[overlap]! * instances + i]! >= oldest) overlap++;
          return Math.max(0, (s.outstandingPromptTokens + a.request.prompt) / a.blockSize - overlap) + s.usedBlocks;
        });
        return argmin(costs);
      },
      routed(a, instance) {
        for (const h of a.hashes) {
          const row = rowOf.add(h);
          if ((row + 1) * instances > times.length) {
            const grown = new Float64Array(times.length * 2).fill(-Infinity);
            grown.set(times);
            times = grown;
          }
          times[row * instances + instance] = a.request.arrival;
        }
      },
    };
  },
};
