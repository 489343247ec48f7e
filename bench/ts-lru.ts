import type { Scenario } from "../src/hierarchy/scenario.js";

/**
 * The kvsim-profile LRU hierarchy written as plain TypeScript over typed arrays — the same
 * algorithm as the WASM engine's (16-byte page records with intrusive per-tier recency lists,
 * exclusive residency, demotion cascade, serial cost model), without prefetch or events. It
 * exists to measure what compiling the core to WebAssembly buys; a test checks it agrees with the
 * engine.
 */
export function tsLruReplay(scenario: Scenario, sizes: Int32Array, accesses: Int32Array, decodePenalty = 0):
  { hits: number; misses: number; evictions: number; totalLatencyMs: number } {
  const n = sizes.length;
  const T = scenario.tiers.length;
  const read = Float64Array.from(scenario.tiers, (t) => t.readLatencyMs);
  const write = Float64Array.from(scenario.tiers, (t) => t.writeLatencyMs);
  const bw = Float64Array.from(scenario.tiers, (t) => t.bandwidthBytesPerMs);
  const cap = Float64Array.from(scenario.tiers, (t) => t.capacityBytes);
  const used = new Float64Array(T);
  const head = new Int32Array(T).fill(-1);
  const tail = new Int32Array(T).fill(-1);
  const rec = new Int32Array(4 * n); // [size, tier + 1, next, prev]
  for (let p = 0; p < n; p++) rec[4 * p] = sizes[p]!;
  let hits = 0;
  let misses = 0;
  let evictions = 0;
  let latency = 0;

  const unlink = (t: number, p: number): void => {
    const next = rec[4 * p + 2]!;
    const prev = rec[4 * p + 3]!;
    if (prev < 0) head[t] = next;
    else rec[4 * prev + 2] = next;
    if (next < 0) tail[t] = prev;
    else rec[4 * next + 3] = prev;
    rec[4 * p + 1] = 0;
    used[t]! -= rec[4 * p]!;
  };
  const append = (t: number, p: number): void => {
    const last = tail[t]!;
    rec[4 * p + 2] = -1;
    rec[4 * p + 3] = last;
    if (last < 0) head[t] = p;
    else rec[4 * last + 2] = p;
    tail[t] = p;
    rec[4 * p + 1] = t + 1;
    used[t]! += rec[4 * p]!;
  };
  const cost = (src: number, dst: number, p: number): number =>
    ((read[src]! + write[dst]!) + rec[4 * p]! / Math.max(Math.min(bw[src]!, bw[dst]!), 1)) + decodePenalty;
  const makeRoom = (t: number, p: number): void => {
    while (used[t]! + rec[4 * p]! > cap[t]!) {
      const v = head[t]!;
      unlink(t, v);
      evictions++;
      if (t < T - 1) {
        makeRoom(t + 1, v);
        append(t + 1, v);
        latency += cost(t, t + 1, v);
      }
    }
  };

  for (let s = 0; s < accesses.length; s++) {
    const p = accesses[s]!;
    const tier = rec[4 * p + 1]! - 1;
    if (tier === 0) {
      hits++;
      latency += read[0]! + decodePenalty;
      if (tail[0] !== p) {
        unlink(0, p);
        append(0, p);
      }
      continue;
    }
    misses++;
    if (tier > 0) unlink(tier, p);
    makeRoom(0, p);
    append(0, p);
    latency += cost(tier >= 0 ? tier : T - 1, 0, p);
  }
  return { hits, misses, evictions, totalLatencyMs: latency };
}
