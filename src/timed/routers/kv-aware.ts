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
  readsPrefixes: true,
  make(instances) {
    // Per block hash a row of `instances` times: when the router last sent that block to each
    // (-Infinity: never). One table lookup per block of a request, whatever the number of instances.
    let rowOf = new HashRows();
    let times = new Float64Array(1024 * instances).fill(-Infinity);
    // Once per TTL of simulated time the blocks no instance saw within it are dropped, as Dynamo's
    // indexer expires them: the table holds what the last two TTLs routed, not the whole run.
    let swept = 0;
    const sweep = (now: number) => {
      const oldest = now - PREFIX_TTL_S;
      const kept = new HashRows();
      const keptTimes = new Float64Array(Math.max(1024, 2 * rowOf.size) * instances).fill(-Infinity);
      for (let row = 0; row < rowOf.size; row++) {
        let recent = false;
        for (let i = 0; i < instances && !recent; i++) recent = times[row * instances + i]! >= oldest;
        if (!recent) continue;
        keptTimes.set(times.subarray(row * instances, (row + 1) * instances), kept.add(rowOf.hash(row)) * instances);
      }
      rowOf = kept;
      times = keptTimes;
      swept = now;
    };
    const rows: number[] = [];
    return {
      route(a, loads) {
        if (a.request.arrival - swept > PREFIX_TTL_S) sweep(a.request.arrival);
        rows.length = 0;
        for (const h of a.hashes) {
          const row = rowOf.get(h);
          if (row < 0) break;
          rows.push(row);
        }
        const oldest = a.request.arrival - PREFIX_TTL_S;
        const costs = loads.map((s, i) => {
          // A block sent to an instance went with every block before it (hashes are chained), at that
          // time or later: recency is prefix-closed, so the overlap is found by bisection.
          let lo = 0;
          let hi = rows.length;
          while (lo < hi) {
            const mid = (lo + hi) >>> 1;
            if (times[rows[mid]! * instances + i]! >= oldest) lo = mid + 1;
            else hi = mid;
          }
          return Math.max(0, (s.outstandingPromptTokens + a.request.prompt) / a.blockSize - lo) + s.usedBlocks;
        });
        return argmin(costs);
      },
      routed(a, instance) {
        // The blocks `route` found keep their rows; only the rest are looked up (and numbered).
        for (let k = 0; k < rows.length; k++) times[rows[k]! * instances + instance] = a.request.arrival;
        for (let k = rows.length; k < a.hashes.length; k++) {
          const row = rowOf.add(a.hashes[k]!);
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
