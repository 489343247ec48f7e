/**
 * A deliberately naive reference of the kvsim-profile engine: Maps in insertion order, full
 * scans for every victim, no clever indexes. Test oracle only (differential tests compare the
 * WASM engine against it); it shares no code with the engine.
 */
import type { Scenario } from "../../src/hierarchy/scenario.js";

export interface RefMetrics {
  accesses: number; hits: number; misses: number; coldMisses: number; evictions: number; drops: number;
  totalLatencyMs: number; bytesMoved: number; demandBytesMoved: number; prefetchBytesMoved: number;
  prefetchRequests: number; usefulPrefetches: number; wastedPrefetches: number; tierHits: number[];
}

export interface RefWorld {
  step: number;
  tiers: Map<number, true>[]; // resident pages of each tier, in the tier's order
  size: number[];
  capacity: number[];
  nextUse: number[];
  firstUse: number[];
  /** An eviction from this tier on drops the page (the hierarchy's last tier; 0 in the block pool). */
  dropTier: number;
  /** Pages that may not be evicted now (the block pool's blocks in use); empty in the hierarchy. */
  pinned: Set<number>;
}

/** Whether a victim search may take p: not `exclude`, not pinned. */
const evictable = (w: RefWorld, p: number, exclude: number): boolean => p !== exclude && !w.pinned.has(p);

export interface RefPolicy {
  onAccess?(p: number, hitTier: number, w: RefWorld): void;
  onInsert?(p: number, tier: number, w: RefWorld): void;
  onEvict?(p: number, tier: number, w: RefWorld): void;
  onEnter?(p: number, tier: number, w: RefWorld): void;
  onLeave?(p: number, tier: number, w: RefWorld): void;
  victim(tier: number, exclude: number, w: RefWorld): number;
  /** Evict once more before p enters tier, though it fits (2Q's Am making room in itself). */
  wantsRoom?(p: number, tier: number, exclude: number, w: RefWorld): boolean;
  prefetch?(p: number): number[];
}

function firstInOrder(w: RefWorld, tier: number, exclude: number): number {
  for (const p of w.tiers[tier]!.keys()) if (evictable(w, p, exclude)) return p;
  return -1;
}

function minScore(w: RefWorld, tier: number, exclude: number, score: (p: number) => number): number {
  let best = -1;
  let bestScore = Infinity;
  for (const p of w.tiers[tier]!.keys()) {
    if (p === exclude) continue;
    const s = score(p);
    if (best < 0 || s < bestScore) [best, bestScore] = [p, s];
  }
  return best;
}

const counter = (): Map<number, number> => new Map();
const inc = (m: Map<number, number>, k: number): void => void m.set(k, (m.get(k) ?? 0) + 1);

/** libCacheSim's counting Bloom filter (minimalIncrementCBF.c): counters per entry at 0.1% error, and counters a key touches. */
const BLOOM_COUNTERS_PER_ENTRY = -Math.log(0.001) / 0.480453013918201;
const BLOOM_HASHES = Math.ceil(0.693147180559945 * BLOOM_COUNTERS_PER_ENTRY);

/** XXH64 of one little-endian 64-bit word (xxhash.h's 8-byte path), in BigInt arithmetic. */
export function xxh64Word(word: bigint, seed: bigint): bigint {
  const M = (1n << 64n) - 1n;
  const [P1, P2, P3, P4, P5] = [0x9e3779b185ebca87n, 0xc2b2ae3d27d4eb4fn, 0x165667b19e3779f9n, 0x85ebca77c2b2ae63n, 0x27d4eb2f165667c5n];
  const rotl = (x: bigint, r: bigint): bigint => ((x << r) | (x >> (64n - r))) & M;
  let h = (seed + P5 + 8n) & M;
  h ^= (rotl((word * P2) & M, 31n) * P1) & M;
  h = (rotl(h, 27n) * P1 + P4) & M;
  h ^= h >> 33n;
  h = (h * P2) & M;
  h ^= h >> 29n;
  h = (h * P3) & M;
  return h ^ (h >> 32n);
}

export function makePolicy(name: string, params: Record<string, number>): RefPolicy {
  const freq = counter();
  const last = new Map<number, number>();
  const lastOf = (p: number): number => last.get(p) ?? -1;
  switch (name) {
    case "lru":
      return {
        onAccess(p, hit, w) {
          if (hit === 0) {
            w.tiers[0]!.delete(p);
            w.tiers[0]!.set(p, true);
          }
        },
        victim: (t, ex, w) => firstInOrder(w, t, ex),
      };
    case "fifo":
      return { victim: (t, ex, w) => firstInOrder(w, t, ex) };
    case "heavy_hitter":
      return {
        onAccess(p, _h, w) { inc(freq, p); last.set(p, w.step); },
        victim: (t, ex, w) => minScore(w, t, ex, (p) => (freq.get(p) ?? 0) * 10000 + lastOf(p)),
      };
    case "lfu":
      // ties_by_recency: among equal counts, the page whose last access is oldest (libCacheSim's per-count FIFOs).
      return {
        onAccess(p, _h, w) { inc(freq, p); last.set(p, w.step); },
        onEvict(p, t, w) { if (t >= w.dropTier) freq.delete(p); },
        victim: (t, ex, w) => minScore(w, t, ex, (p) => (freq.get(p) ?? 0) * (params.ties_by_recency ? 2 ** 31 : 1) + (params.ties_by_recency ? lastOf(p) : 0)),
      };
    case "windowed_recency": {
      const window: number[] = [];
      return {
        onAccess(p, _h, w) {
          window.push(p);
          if (window.length > params.window_size!) window.shift();
          last.set(p, w.step);
        },
        victim: (t, ex, w) => minScore(w, t, ex, (p) => window.filter((x) => x === p).length * 1e6 + lastOf(p)),
      };
    }
    case "cost_aware":
      return {
        onAccess(p, _h, w) { inc(freq, p); last.set(p, w.step); },
        victim: (t, ex, w) => minScore(w, t, ex, (p) =>
          (params.freq_weight! * (freq.get(p) ?? 0) + (params.recency_weight! * lastOf(p)) / Math.max(w.step, 1)) -
          params.size_penalty! * (w.size[p]! / 1024)),
      };
    case "regret_aware": {
      const evictedAt = new Map<number, number>();
      const regret = new Map<number, number>();
      return {
        onAccess(p, _h, w) {
          inc(freq, p);
          last.set(p, w.step);
          if (regret.has(p)) regret.set(p, regret.get(p)! * params.decay!);
          const at = evictedAt.get(p);
          if (at !== undefined) {
            evictedAt.delete(p);
            const gap = w.step - at;
            if (gap <= params.regret_horizon!) {
              regret.set(p, (regret.get(p) ?? 0) + (params.regret_horizon! - gap + 1) / params.regret_horizon!);
            }
          }
        },
        onEvict(p, _t, w) { evictedAt.set(p, w.step); },
        victim: (t, ex, w) => minScore(w, t, ex, (p) =>
          (params.freq_weight! * (freq.get(p) ?? 0) + (params.recency_weight! * lastOf(p)) / Math.max(w.step, 1)) +
          params.regret_weight! * (regret.get(p) ?? 0)),
      };
    }
    case "predictive": {
      const slots = new Map<number, { to: number; count: number; first: number }[]>();
      let recorded = 0;
      let prev = -1;
      return {
        onAccess(p, _h, w) {
          if (prev >= 0) {
            const list = slots.get(prev) ?? [];
            slots.set(prev, list);
            const hit = list.find((s) => s.to === p);
            if (hit) hit.count++;
            else if (list.length < params.successor_slots!) list.push({ to: p, count: 1, first: recorded++ });
            else {
              let weakest = list[0]!;
              for (const s of list) if (s.count < weakest.count) weakest = s;
              Object.assign(weakest, { to: p, count: weakest.count + 1, first: recorded++ });
            }
          }
          prev = p;
          inc(freq, p);
          last.set(p, w.step);
        },
        prefetch(p) {
          const ranked = [...(slots.get(p) ?? [])].sort((a, b) => b.count - a.count || a.first - b.first);
          return ranked.slice(0, params.max_prefetches!).filter((s) => s.count >= params.min_confidence!).map((s) => s.to);
        },
        victim: (t, ex, w) => minScore(w, t, ex, (p) => (freq.get(p) ?? 0) * 100 + lastOf(p)),
      };
    }
    case "belady": {
      const upcoming = new Map<number, number>();
      return {
        onAccess(p, _h, w) { upcoming.set(p, w.nextUse[w.step]!); },
        victim: (t, ex, w) => minScore(w, t, ex, (p) => -(upcoming.get(p) ?? w.firstUse[p]!)),
      };
    }
    case "sieve": {
      const visited = new Set<number>();
      const hand: (number | undefined)[] = [];
      const after = (w: RefWorld, t: number, p: number): number | undefined => {
        const order = [...w.tiers[t]!.keys()];
        return order[order.indexOf(p) + 1];
      };
      return {
        onAccess(p, hit) { if (hit === 0) visited.add(p); },
        onEnter(p) { visited.delete(p); },
        onLeave(p, t, w) { if (hand[t] === p) hand[t] = after(w, t, p); },
        victim(t, ex, w) {
          if ([...w.tiers[t]!.keys()].every((p) => !evictable(w, p, ex))) return -1;
          let p = hand[t];
          for (;;) {
            if (p === undefined) p = w.tiers[t]!.keys().next().value!;
            if (evictable(w, p, ex)) {
              if (!visited.has(p)) {
                hand[t] = p; // moves on to the next page when the victim leaves
                return p;
              }
              visited.delete(p);
            }
            p = after(w, t, p);
          }
        },
      };
    }
    case "clock": {
      // libCacheSim's Clock.c: count 0 on entry, +1 per tier-0 hit up to 2^bits - 1; the oldest
      // page with a spent count is the victim, others lose a unit and go to the newest end.
      const count = new Map<number, number>();
      const most = 2 ** params["bits"]! - 1;
      return {
        onAccess(p, hit) { if (hit === 0) count.set(p, Math.min(most, (count.get(p) ?? 0) + 1)); },
        onEnter(p) { count.set(p, 0); },
        victim(t, ex, w) {
          const tier = w.tiers[t]!;
          if ([...tier.keys()].every((p) => !evictable(w, p, ex))) return -1;
          for (;;) {
            const p = tier.keys().next().value!;
            if (evictable(w, p, ex) && count.get(p) === 0) return p;
            if (evictable(w, p, ex)) count.set(p, count.get(p)! - 1);
            tier.delete(p);
            tier.set(p, true);
          }
        },
      };
    }
    case "s3fifo": {
      const small: Map<number, true>[] = [];
      const main: Map<number, true>[] = [];
      const bytesOf = (m: Map<number, true>, w: RefWorld): number => [...m.keys()].reduce((b, p) => b + w.size[p]!, 0);
      // Default ghost: per page, its tier and stamp, valid while the tier's clock is within the window.
      const ghost = new Map<number, { tier: number; stamp: number }>();
      const clock: number[] = [];
      // ghost_fifo: per tier, a FIFO of pages (a page in one tier's at most).
      const ghostFifo: Map<number, true>[] = [];
      let returning = -1;
      const f = new Map<number, number>();
      const q = (arr: Map<number, true>[], t: number): Map<number, true> => (arr[t] ??= new Map());
      const leave = (p: number, t: number): void => {
        q(small, t).delete(p);
        q(main, t).delete(p);
      };
      const leaveGhost = (p: number, t: number, w: RefWorld): boolean => {
        if (params.ghost_fifo) return q(ghostFifo, t).delete(p);
        const g = ghost.get(p);
        const horizon = Math.max(16, w.tiers[t]!.size); // the tier's page count
        if (!g || g.tier !== t || (clock[t] ?? 0) - g.stamp >= horizon) return false;
        ghost.delete(p);
        return true;
      };
      const remember = (p: number, t: number, w: RefWorld): void => {
        if (!params.ghost_fifo) {
          const c = clock[t] ?? 0;
          clock[t] = c + 1;
          ghost.set(p, { tier: t, stamp: c });
          return;
        }
        if (q(ghostFifo, t).has(p)) return;
        ghostFifo.forEach((g) => g.delete(p));
        const limit = Math.trunc(w.capacity[t]! * params.ghost_ratio!);
        if (w.size[p]! > limit) return;
        const fifo = q(ghostFifo, t);
        while (bytesOf(fifo, w) + w.size[p]! > limit) fifo.delete(fifo.keys().next().value!);
        fifo.set(p, true);
      };
      return {
        onAccess(p, hit, w) {
          if (hit === 0) f.set(p, Math.min(3, (f.get(p) ?? 0) + 1));
          else if (params.ghost_check_first) returning = leaveGhost(p, 0, w) ? p : -1;
        },
        onEnter(p, t, w) {
          f.set(p, 0);
          let back: boolean;
          if (params.ghost_check_first && t === 0) {
            back = returning === p;
            returning = -1;
          } else {
            back = leaveGhost(p, t, w);
          }
          q(back ? main : small, t).set(p, true);
        },
        victim(t, ex, w) {
          const share = Math.trunc(w.capacity[t]! * params.small_ratio!);
          let unevictableRun = 0; // main's pages gone round in a row unevictable: at main's size, take from small
          let drained = ""; // drain_small: the queue chosen first evicts
          for (;;) {
            if (drained === "small" && q(small, t).size === 0) drained = "";
            let fromSmall = drained
              ? drained === "small"
              : params.drain_small
                ? q(small, t).size > 0 && bytesOf(q(main, t), w) <= w.capacity[t]! - share
                : q(main, t).size === 0 || (q(small, t).size > 0 && bytesOf(q(small, t), w) >= share);
            if (params.drain_small) drained = fromSmall ? "small" : "main";
            if (unevictableRun > 0 && !fromSmall && unevictableRun >= q(main, t).size) fromSmall = q(small, t).size > 0;
            const list = fromSmall ? q(small, t) : q(main, t);
            const p = list.keys().next().value;
            if (p === undefined) return -1;
            const free = evictable(w, p, ex);
            if (fromSmall) {
              if ((f.get(p) ?? 0) >= params.move_to_main_threshold! || !free) {
                leave(p, t);
                f.set(p, 0);
                q(main, t).set(p, true);
                continue;
              }
              remember(p, t, w);
              return p;
            }
            if ((f.get(p) ?? 0) > 0 || !free) {
              if ((f.get(p) ?? 0) > 0) f.set(p, f.get(p)! - 1);
              unevictableRun = free ? 0 : unevictableRun + 1;
              list.delete(p);
              list.set(p, true);
              continue;
            }
            return p;
          }
        },
        onLeave(p, t) { leave(p, t); },
      };
    }
    case "arc": {
      // Per tier: T1, T2 resident and B1, B2 ghosts, each a Map least recent first; p the target for T1.
      type Lists = { t1: Map<number, true>; t2: Map<number, true>; b1: Map<number, true>; b2: Map<number, true>; p: number };
      const arcs: Lists[] = [];
      const at = (t: number): Lists => (arcs[t] ??= { t1: new Map(), t2: new Map(), b1: new Map(), b2: new Map(), p: 0 });
      const bytes = (m: Map<number, true>, w: RefWorld): number => [...m.keys()].reduce((b, p) => b + w.size[p]!, 0);
      const arriving: { page: number; ghost: "" | "b1" | "b2" }[] = [];
      const evictedTo: ("" | "b1" | "b2")[] = [];
      const arrive = (p: number, t: number, w: RefWorld): void => {
        const a = at(t);
        const ghost = a.b1.has(p) ? "b1" : a.b2.has(p) ? "b2" : "";
        arriving[t] = { page: p, ghost };
        if (ghost === "b1") a.p = Math.min(a.p + Math.max(bytes(a.b2, w) / bytes(a.b1, w), 1), w.capacity[t]!);
        if (ghost === "b2") a.p = Math.max(a.p - Math.max(bytes(a.b1, w) / bytes(a.b2, w), 1), 0);
        if (ghost) a[ghost].delete(p);
      };
      const lru = (m: Map<number, true>, ex: number, w: RefWorld): number => {
        for (const p of m.keys()) if (evictable(w, p, ex)) return p;
        return -1;
      };
      const replace = (t: number, ex: number, w: RefWorld, inB2: boolean): number => {
        const a = at(t);
        const t1 = bytes(a.t1, w);
        const fromT1 = (t1 > 0 && (t1 > a.p || (t1 === a.p && inB2))) || a.t2.size === 0;
        evictedTo[t] = fromT1 ? "b1" : "b2";
        return lru(fromT1 ? a.t1 : a.t2, ex, w);
      };
      return {
        onAccess(p, hit, w) {
          const a = at(0);
          if (hit === 0) {
            a.t1.delete(p);
            a.t2.delete(p);
            a.t2.set(p, true);
          } else {
            arrive(p, 0, w);
          }
        },
        onEvict(p, t, w) {
          const to = evictedTo[t];
          if (to) at(t)[to].set(p, true);
          evictedTo[t] = "";
          if (t + 1 < w.tiers.length) arrive(p, t + 1, w);
        },
        onEnter(p, t) {
          const a = at(t);
          const back = arriving[t]?.page === p && arriving[t]!.ghost !== "";
          arriving[t] = { page: -1, ghost: "" };
          (back ? a.t2 : a.t1).set(p, true);
        },
        onLeave(p, t) {
          at(t).t1.delete(p);
          at(t).t2.delete(p);
        },
        victim(t, ex, w) {
          const a = at(t);
          const incoming = arriving[t];
          if (incoming?.ghost) return replace(t, ex, w, incoming.ghost === "b2");
          const size = incoming && incoming.page >= 0 ? w.size[incoming.page]! : 0;
          if (bytes(a.t1, w) + bytes(a.b1, w) + size > w.capacity[t]!) {
            if (a.b1.size > 0) {
              a.b1.delete(a.b1.keys().next().value!);
              return replace(t, ex, w, false);
            }
            evictedTo[t] = "";
            return lru(a.t1, ex, w);
          }
          if (bytes(a.t1, w) + bytes(a.b1, w) + bytes(a.t2, w) + bytes(a.b2, w) >= 2 * w.capacity[t]! && a.b2.size > 0) a.b2.delete(a.b2.keys().next().value!);
          return replace(t, ex, w, false);
        },
      };
    }
    case "twoq": {
      // Per tier: Ain (FIFO) and Am (LRU) resident, Aout the ghost FIFO of ids Ain evicted.
      type Queues = { ain: Map<number, true>; am: Map<number, true>; aout: Map<number, true> };
      const qs: Queues[] = [];
      const at = (t: number): Queues => (qs[t] ??= { ain: new Map(), am: new Map(), aout: new Map() });
      const bytes = (m: Map<number, true>, w: RefWorld): number => [...m.keys()].reduce((b, p) => b + w.size[p]!, 0);
      const ainShare = (t: number, w: RefWorld): number => Math.trunc(w.capacity[t]! * params.ain_ratio!);
      const arriving: { page: number; seen: boolean }[] = [];
      const leftAin: boolean[] = [];
      const arrive = (p: number, t: number): void => {
        arriving[t] = { page: p, seen: at(t).aout.delete(p) };
      };
      const entersAm = (p: number, t: number): boolean => arriving[t]?.page === p && arriving[t]!.seen;
      const first = (m: Map<number, true>, ex: number, w: RefWorld): number => {
        for (const p of m.keys()) if (evictable(w, p, ex)) return p;
        return -1;
      };
      return {
        onAccess(p, hit) {
          if (hit === 0) {
            if (at(0).am.delete(p)) at(0).am.set(p, true);
          } else {
            arrive(p, 0);
          }
        },
        onEvict(p, t, w) {
          if (leftAin[t]) {
            const aout = at(t).aout;
            const limit = Math.trunc(w.capacity[t]! * params.aout_ratio!);
            if (!aout.has(p) && w.size[p]! <= limit) {
              while (bytes(aout, w) + w.size[p]! > limit) aout.delete(aout.keys().next().value!);
              aout.set(p, true);
            }
          }
          if (t + 1 < w.tiers.length) arrive(p, t + 1);
        },
        onEnter(p, t) {
          (entersAm(p, t) ? at(t).am : at(t).ain).set(p, true);
          arriving[t] = { page: -1, seen: false };
        },
        onLeave(p, t) {
          leftAin[t] = at(t).ain.delete(p);
          at(t).am.delete(p);
        },
        // While Am has a page to give: a page larger than Am's share enters anyway.
        wantsRoom: (p, t, ex, w) => entersAm(p, t) && bytes(at(t).am, w) + w.size[p]! > w.capacity[t]! - ainShare(t, w) && first(at(t).am, ex, w) >= 0,
        victim(t, ex, w) {
          const q = at(t);
          const incoming = arriving[t] && arriving[t]!.page >= 0 ? w.size[arriving[t]!.page]! : 0;
          const full = bytes(q.ain, w) + bytes(q.am, w) + incoming > w.capacity[t]!;
          const fromAin = full && (bytes(q.ain, w) > ainShare(t, w) || q.am.size === 0);
          return first(fromAin ? q.ain : q.am, ex, w);
        },
      };
    }
    case "lirs": {
      // Per tier: the stack S (oldest first; LIR, or HIR resident or not), Q the resident HIR
      // pages (oldest first), NH the non-resident HIR pages still in S, and the pages LIRS evicted
      // that the engine is still to take out of the tier. Bytes are summed afresh every time.
      type Entry = { lir: boolean; res: boolean };
      type Lirs = { s: Map<number, Entry>; q: Map<number, true>; nh: Map<number, true>; out: number[] };
      const ls: Lirs[] = [];
      const at = (t: number): Lirs => (ls[t] ??= { s: new Map(), q: new Map(), nh: new Map(), out: [] });
      const sum = (ps: Iterable<number>, w: RefWorld): number => [...ps].reduce((b, p) => b + w.size[p]!, 0);
      const lirBytes = (t: number, w: RefWorld): number => sum([...at(t).s].filter(([, e]) => e.lir).map(([p]) => p), w);
      const hirBytes = (t: number, w: RefWorld): number => sum(at(t).q.keys(), w);
      const hirLimit = (t: number, w: RefWorld): number => Math.max(1, Math.trunc(params.hirs_ratio! * w.capacity[t]!));
      const lirLimit = (t: number, w: RefWorld): number => w.capacity[t]! - hirLimit(t, w);
      const oldest = <V>(m: Map<number, V>): number => m.keys().next().value ?? -1;
      const toTop = <V>(m: Map<number, V>, p: number): void => {
        const v = m.get(p);
        if (v !== undefined) m.delete(p), m.set(p, v);
      };
      const prune = (t: number): void => {
        const { s, nh } = at(t);
        while (s.size > 1 && !s.get(oldest(s))!.lir) {
          nh.delete(oldest(s));
          s.delete(oldest(s));
        }
      };
      const evictHIR = (t: number, keep: number, w: RefWorld): boolean => {
        const L = at(t);
        const p = oldest(L.q);
        if (p < 0 || p === keep) return false;
        L.q.delete(p);
        const e = L.s.get(p);
        if (e) {
          e.res = false;
          L.nh.set(p, true);
        }
        L.out.push(p);
        return true;
      };
      const evictLIR = (t: number, keep: number, w: RefWorld): boolean => {
        const L = at(t);
        const p = oldest(L.s);
        if (p < 0 || !L.s.get(p)!.lir) return false;
        L.s.delete(p);
        if (w.size[p]! <= hirLimit(t, w)) {
          while (hirBytes(t, w) + w.size[p]! > hirLimit(t, w) && evictHIR(t, keep, w));
          L.q.set(p, true);
        } else {
          L.out.push(p);
        }
        prune(t);
        return true;
      };
      const lirFull = (t: number, size: number, w: RefWorld): boolean => lirBytes(t, w) + size > lirLimit(t, w);
      const nonResident = (e: Entry | undefined): boolean => e !== undefined && !e.lir && !e.res;
      const find = (p: number, t: number, w: RefWorld): void => {
        const L = at(t);
        const e = L.s.get(p);
        toTop(L.s, p);
        toTop(L.q, p);
        if (e?.lir) {
          prune(t);
        } else if (e?.res) {
          L.q.delete(p);
          while (lirFull(t, w.size[p]!, w) && evictLIR(t, p, w));
          e.lir = true;
        } else if (!e && L.q.has(p)) {
          while (lirFull(t, w.size[p]!, w) && evictLIR(t, p, w));
          L.s.set(p, { lir: false, res: true });
        }
      };
      const arrive = (p: number, t: number, w: RefWorld): void => {
        find(p, t, w);
        const L = at(t);
        const size = w.size[p]!;
        const full = (): boolean => lirBytes(t, w) + hirBytes(t, w) + size > w.capacity[t]!;
        const bothFull = (): boolean => lirFull(t, size, w) && hirBytes(t, w) + size > hirLimit(t, w);
        if (nonResident(L.s.get(p))) {
          while (lirFull(t, size, w) && evictLIR(t, p, w));
          L.nh.delete(p);
          while (full()) {
            while (hirBytes(t, w) >= hirLimit(t, w) && evictHIR(t, p, w));
            if (!evictLIR(t, p, w)) break;
          }
        } else {
          if (bothFull()) while (hirBytes(t, w) + size > hirLimit(t, w) && evictHIR(t, p, w));
          while (full() && bothFull() && evictHIR(t, p, w));
        }
      };
      const limitStack = (t: number, w: RefWorld): void => {
        const L = at(t);
        while (sum(L.s.keys(), w) > 2 * w.capacity[t]! && L.nh.size > 0) {
          const p = oldest(L.nh);
          L.nh.delete(p);
          L.s.delete(p);
        }
      };
      return {
        onAccess(p, hit, w) {
          if (hit === 0) {
            find(p, 0, w);
            limitStack(0, w);
          } else {
            arrive(p, 0, w);
          }
        },
        onEvict(p, t, w) {
          if (t + 1 < w.tiers.length) arrive(p, t + 1, w);
        },
        onEnter(p, t, w) {
          const L = at(t);
          const e = L.s.get(p);
          if (nonResident(e)) {
            e!.lir = true;
            e!.res = true;
          } else if (!lirFull(t, w.size[p]!, w)) {
            L.s.set(p, { lir: true, res: true });
          } else {
            L.s.set(p, { lir: false, res: true });
            L.q.set(p, true);
          }
          limitStack(t, w);
        },
        onLeave(p, t) {
          const L = at(t);
          const i = L.out.indexOf(p);
          if (i >= 0) {
            L.out.splice(i, 1);
            return;
          }
          const e = L.s.get(p);
          L.s.delete(p);
          if (e?.lir) prune(t);
          else L.q.delete(p);
        },
        wantsRoom: (p, t) => at(t).out.length > 0,
        victim(t, ex, w) {
          const L = at(t);
          while (L.out.length === 0) {
            if (evictHIR(t, -1, w)) continue;
            prune(t);
            if (!evictLIR(t, -1, w)) return -1;
          }
          return L.out[0]!;
        },
      };
    }
    case "tinylfu": {
      // Per tier: the window, probation and protected (Maps, least recent first), the pages
      // W-TinyLFU evicted that the engine is still to take, libCacheSim's counting Bloom filter
      // and the hits in main since its last halving. Bytes are summed afresh every time.
      type Tiny = { window: Map<number, true>; probation: Map<number, true>; protected: Map<number, true>; out: number[]; counters: Uint32Array; hits: number; decayEvery: number };
      const ts: Tiny[] = [];
      const sum = (m: Map<number, true>, w: RefWorld): number => [...m.keys()].reduce((b, p) => b + w.size[p]!, 0);
      const mainLimit = (t: number, w: RefWorld): number => w.capacity[t]! - Math.trunc(w.capacity[t]! * params.window_ratio!);
      const at = (t: number, w: RefWorld): Tiny => {
        if (!ts[t]) {
          const entries = Math.min(Math.floor(mainLimit(t, w) / Math.min(...w.size)), w.size.length);
          const n = Math.ceil(BLOOM_COUNTERS_PER_ENTRY * entries);
          ts[t] = { window: new Map(), probation: new Map(), protected: new Map(), out: [], counters: new Uint32Array(n < BLOOM_HASHES ? 2 * BLOOM_HASHES : n), hits: 0, decayEvery: 32 * entries };
        }
        return ts[t]!;
      };
      const slots = (t: number, p: number, w: RefWorld): number[] => {
        const a = Number(xxh64Word(BigInt(p), 0x12345678n) & 0xffffffffn);
        const b = Number(xxh64Word(BigInt(p), 0x12344321n) & 0xffffffffn);
        return Array.from({ length: BLOOM_HASHES }, (_, i) => ((a + Math.imul(i, b)) >>> 0) % at(t, w).counters.length);
      };
      const estimate = (t: number, p: number, w: RefWorld): number => Math.min(...slots(t, p, w).map((x) => at(t, w).counters[x]!));
      const count = (t: number, p: number, w: RefWorld): void => slots(t, p, w).forEach((x) => at(t, w).counters[x]!++);
      const oldest = (m: Map<number, true>): number => m.keys().next().value ?? -1;
      const probationLimit = (t: number, w: RefWorld): number => Math.trunc(params.probation_ratio! * mainLimit(t, w));
      const protectedLimit = (t: number, w: RefWorld): number => Math.trunc((1 - params.probation_ratio!) * mainLimit(t, w));
      const mainBytes = (t: number, w: RefWorld): number => sum(at(t, w).probation, w) + sum(at(t, w).protected, w);
      const evictMain = (t: number, w: RefWorld): boolean => {
        const T = at(t, w);
        const seg = T.probation.size > 0 ? T.probation : T.protected;
        const v = oldest(seg);
        if (v < 0) return false;
        seg.delete(v);
        T.out.push(v);
        return true;
      };
      const insertMain = (t: number, p: number, w: RefWorld): void => {
        const T = at(t, w);
        const size = w.size[p]!;
        if (sum(T.probation, w) + size <= probationLimit(t, w)) T.probation.set(p, true);
        else if (sum(T.protected, w) + size <= protectedLimit(t, w)) T.protected.set(p, true);
        else {
          while (mainBytes(t, w) + size > mainLimit(t, w) && evictMain(t, w));
          T.probation.set(p, true);
        }
      };
      const round = (t: number, w: RefWorld): void => {
        const T = at(t, w);
        for (;;) {
          const c = oldest(T.window);
          if (c < 0) return void evictMain(t, w);
          const size = w.size[c]!;
          const rival = oldest(T.probation.size > 0 ? T.probation : T.protected);
          if (mainBytes(t, w) + size <= mainLimit(t, w) || (rival >= 0 && size <= mainLimit(t, w) && estimate(t, c, w) > estimate(t, rival, w))) {
            if (mainBytes(t, w) + size > mainLimit(t, w)) evictMain(t, w);
            T.window.delete(c);
            insertMain(t, c, w);
            count(t, c, w);
          } else {
            T.window.delete(c);
            T.out.push(c);
            count(t, c, w);
            return;
          }
        }
      };
      const toEnd = (m: Map<number, true>, p: number): void => void (m.delete(p), m.set(p, true));
      return {
        onAccess(p, hit, w) {
          if (hit !== 0) return;
          const T = at(0, w);
          if (T.window.has(p)) return toEnd(T.window, p);
          if (T.protected.has(p)) toEnd(T.protected, p);
          else {
            T.probation.delete(p);
            T.protected.set(p, true);
            for (;;) {
              const seg = T.protected.has(p) ? T.protected : T.probation.has(p) ? T.probation : null;
              if (!seg || sum(seg, w) <= (seg === T.protected ? protectedLimit(0, w) : probationLimit(0, w))) break;
              if (seg === T.probation) {
                evictMain(0, w);
                continue;
              }
              const q = oldest(T.protected);
              T.protected.delete(q);
              T.probation.set(q, true);
              while (sum(T.probation, w) > probationLimit(0, w)) evictMain(0, w);
            }
          }
          count(0, p, w);
          if (++T.hits >= T.decayEvery) {
            T.hits = 0;
            T.counters.forEach((v, i) => (T.counters[i] = v >>> 1));
          }
        },
        onEnter(p, t, w) {
          at(t, w).window.set(p, true);
          count(t, p, w);
        },
        onLeave(p, t, w) {
          const T = at(t, w);
          const i = T.out.indexOf(p);
          if (i >= 0) T.out.splice(i, 1);
          T.window.delete(p);
          T.probation.delete(p);
          T.protected.delete(p);
        },
        wantsRoom: (p, t, ex, w) => at(t, w).out.length > 0,
        victim(t, ex, w) {
          if (at(t, w).out.length === 0) round(t, w);
          return at(t, w).out[0] ?? -1;
        },
      };
    }
    default:
      throw new Error(`no reference for ${name}`);
  }
}

/** Replays `accesses` with the kvsim-profile rules of docs/model.md. */
export function naiveReplay(
  scenario: Scenario, sizes: number[], accesses: number[], policyName: string, params: Record<string, number>,
): RefMetrics {
  const T = scenario.tiers.length;
  const last = T - 1;
  const penalty = { fp16: 0, fp8: 0.01, int4: 0.03, int2: 0.06 }[scenario.quantization];
  const nextUse: number[] = new Array(accesses.length);
  const firstUse: number[] = sizes.map(() => 0x7fffffff);
  for (let s = accesses.length - 1; s >= 0; s--) {
    nextUse[s] = firstUse[accesses[s]!]!;
    firstUse[accesses[s]!] = s;
  }
  const w: RefWorld = {
    step: 0, tiers: scenario.tiers.map(() => new Map()), size: sizes, capacity: scenario.tiers.map((t) => t.capacityBytes),
    nextUse, firstUse, dropTier: T - 1, pinned: new Set(),
  };
  const used = scenario.tiers.map(() => 0);
  const policy = makePolicy(policyName, params);
  const m: RefMetrics = {
    accesses: 0, hits: 0, misses: 0, coldMisses: 0, evictions: 0, drops: 0, totalLatencyMs: 0, bytesMoved: 0,
    demandBytesMoved: 0, prefetchBytesMoved: 0, prefetchRequests: 0, usefulPrefetches: 0, wastedPrefetches: 0,
    tierHits: scenario.tiers.map(() => 0),
  };
  const pending = new Set<number>();
  let pinned = -1;
  const tierOf = (p: number): number => w.tiers.findIndex((t) => t.has(p));
  const cost = (src: number, dst: number, p: number): number => {
    const a = scenario.tiers[src]!;
    const b = scenario.tiers[dst]!;
    const bw = Math.min(a.bandwidthBytesPerMs, b.bandwidthBytesPerMs);
    return ((a.readLatencyMs + b.writeLatencyMs) + sizes[p]! / Math.max(bw, 1)) + penalty;
  };
  const add = (t: number, p: number): void => {
    w.tiers[t]!.set(p, true);
    used[t]! += sizes[p]!;
    policy.onEnter?.(p, t, w);
  };
  const remove = (t: number, p: number): void => {
    policy.onLeave?.(p, t, w);
    w.tiers[t]!.delete(p);
    used[t]! -= sizes[p]!;
  };
  /** For a page already resident in t, only while the policy wants room (LIRS after a hit). */
  const makeRoom = (t: number, p: number, resident = false): void => {
    while (used[t]! + (resident ? 0 : sizes[p]!) > w.capacity[t]! || policy.wantsRoom?.(p, t, pinned, w)) {
      const v = policy.victim(t, pinned, w);
      if (v < 0) throw new Error(`no victim in tier ${t}`);
      evict(t, v);
    }
  };
  const evict = (t: number, v: number): void => {
    remove(t, v);
    m.evictions++;
    policy.onEvict?.(v, t, w);
    if (t === 0 && pending.delete(v)) m.wastedPrefetches++;
    if (t === last) {
      m.drops++;
      return;
    }
    makeRoom(t + 1, v);
    add(t + 1, v);
    m.totalLatencyMs += cost(t, t + 1, v);
    m.bytesMoved += sizes[v]!;
    m.demandBytesMoved += sizes[v]!;
  };
  const place = (p: number, src: number, prefetch: boolean): void => {
    if (w.tiers[0]!.has(p)) return;
    if (src >= 0) remove(src, p);
    makeRoom(0, p);
    add(0, p);
    m.totalLatencyMs += cost(src >= 0 ? src : last, 0, p);
    m.bytesMoved += sizes[p]!;
    if (prefetch) m.prefetchBytesMoved += sizes[p]!;
    else m.demandBytesMoved += sizes[p]!;
    policy.onInsert?.(p, 0, w);
  };
  accesses.forEach((p, s) => {
    w.step = s;
    const r = tierOf(p);
    policy.onAccess?.(p, r, w);
    m.accesses++;
    if (r === 0) {
      m.hits++;
      m.tierHits[0]!++;
      m.totalLatencyMs += scenario.tiers[0]!.readLatencyMs + penalty;
      makeRoom(0, p, true);
    } else {
      m.misses++;
      if (r < 0) m.coldMisses++;
      else m.tierHits[r]!++;
      place(p, r, false);
    }
    if (pending.delete(p)) m.usefulPrefetches++;
    if (scenario.prefetch.enabled) {
      pinned = p;
      for (const c of (policy.prefetch?.(p) ?? []).slice(0, scenario.prefetch.maxCandidates)) {
        if (c < 0 || c >= sizes.length) continue;
        const src = tierOf(c);
        if (src === 0 || pending.has(c)) continue;
        if (sizes[c]! > w.capacity[0]! - sizes[p]!) continue;
        pending.add(c);
        m.prefetchRequests++;
        place(c, src, true);
      }
      pinned = -1;
    }
  });
  m.wastedPrefetches += pending.size;
  return m;
}
