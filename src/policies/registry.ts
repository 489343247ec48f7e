import { KvsimInputError } from "../errors.js";
import { intParam as int, numberParam as num, resolveParams, type ParamSpec } from "../params.js";

export type Profile = "kvsim" | "khl";
export const PROFILES: readonly Profile[] = ["kvsim", "khl"];

export type PolicyParam = ParamSpec;

export interface PolicyInfo {
  name: string;
  /** Index in `assembly/policies/factory.ts`. */
  wasmId: number;
  summary: string;
  source: string;
  /** Parameters, in the positional order the WASM constructor reads them. */
  params: PolicyParam[];
  profiles: readonly Profile[];
  /** How the kvsim profile finds a victim, and its cost per eviction. */
  victimSearch: string;
}

const SAMPLES = int("samples", 8, "kvsim profile: victims are the minimum of this many uniform draws from the tier (0 = exact full scan)");

/** Every page-level eviction policy, registered once. */
export const POLICIES: readonly PolicyInfo[] = [
  {
    name: "lru", wasmId: 0, summary: "least recently used (stamp refreshed on access and insert)",
    source: "Mattson et al. 1970; kv-hierarchy-lab LRUPolicy", params: [], profiles: PROFILES,
    victimSearch: "recency-ordered intrusive list per tier, O(1)",
  },
  {
    name: "windowed_recency", wasmId: 1, summary: "occurrences in the last window_size accesses, then recency",
    source: "kv-hierarchy-lab WindowedRecencyPolicy", profiles: PROFILES,
    params: [int("window_size", 32, "sliding window length in accesses", 1)],
    victimSearch: "indexed min-heap per tier, O(log n)",
  },
  {
    name: "heavy_hitter", wasmId: 2, summary: "access frequency, then recency (freq × 10⁴ + last)",
    source: "kv-hierarchy-lab HeavyHitterPolicy; H2O (Zhang et al. 2023)", params: [], profiles: PROFILES,
    victimSearch: "indexed min-heap per tier, O(log n)",
  },
  {
    name: "cost_aware", wasmId: 3, summary: "frequency and recency, minus a penalty for large pages",
    source: "kv-hierarchy-lab CostAwarePolicy; GreedyDual-Size (Cao & Irani 1997)", profiles: PROFILES,
    params: [
      num("size_penalty", 0.4, "weight of size/1024 subtracted from the score"),
      num("freq_weight", 2.0, "weight of access frequency"),
      num("recency_weight", 1.0, "weight of last access step / current step"),
      SAMPLES,
    ],
    victimSearch: "sampled minimum (score drifts with the step), O(samples)",
  },
  {
    name: "predictive", wasmId: 4, summary: "Markov successor prefetcher; evicts by freq × 100 + last",
    source: "kv-hierarchy-lab PredictivePrefetchPolicy; Space-Saving counters (Metwally et al. 2005)", profiles: PROFILES,
    params: [
      int("min_confidence", 2, "a successor must have been seen this many times to be prefetched"),
      int("max_prefetches", 2, "successors proposed per access"),
      int("successor_slots", 8, "kvsim profile: successor counters kept per page (exact up to this many)", 1),
    ],
    victimSearch: "indexed min-heap per tier, O(log n)",
  },
  {
    name: "regret_aware", wasmId: 5, summary: "frequency and recency plus decaying regret for evictions soon undone",
    source: "kv-hierarchy-lab RegretAwarePolicy", profiles: PROFILES,
    params: [
      int("regret_horizon", 24, "a re-access within this many steps of an eviction earns regret", 1),
      num("regret_weight", 6.0, "weight of accumulated regret"),
      num("freq_weight", 1.5, "weight of access frequency"),
      num("recency_weight", 1.0, "weight of last access step / current step"),
      num("decay", 0.98, "regret multiplier applied on each access"),
      SAMPLES,
    ],
    victimSearch: "sampled minimum (score drifts with the step), O(samples)",
  },
  {
    name: "fifo", wasmId: 6, summary: "first in, first out per tier", source: "libCacheSim FIFO",
    params: [], profiles: PROFILES, victimSearch: "insertion-ordered list per tier, O(1)",
  },
  {
    name: "random", wasmId: 7, summary: "uniformly random victim from the seeded generator", source: "libCacheSim Random",
    params: [], profiles: PROFILES, victimSearch: "dense member array per tier, O(1)",
  },
  {
    name: "sieve", wasmId: 8, summary: "FIFO with visited bits and a moving hand",
    source: "Zhang et al., SIEVE, NSDI 2024", params: [], profiles: ["kvsim"],
    victimSearch: "FIFO list and hand per tier, amortised O(1)",
  },
  {
    name: "s3fifo", wasmId: 9, summary: "small FIFO filter + main FIFO with reinsertion + ghost",
    source: "Yang et al., S3-FIFO, SOSP 2023; libCacheSim S3FIFO", profiles: ["kvsim"],
    params: [num("small_ratio", 0.1, "share of each tier's bytes given to the small FIFO")],
    victimSearch: "two FIFO lists per tier, amortised O(1)",
  },
  {
    name: "belady", wasmId: 10, summary: "offline optimum: evict the page reused farthest in the future",
    source: "Belady 1966 (MIN)", params: [], profiles: PROFILES,
    victimSearch: "indexed max-heap on next use per tier, O(log n)",
  },
  {
    name: "lfu", wasmId: 11, summary: "least frequently used: fewest accesses since the page entered the cache",
    source: "libCacheSim LFU (in-cache counts)", params: [], profiles: PROFILES,
    victimSearch: "indexed min-heap per tier, O(log n)",
  },
];

export function policyInfo(name: string): PolicyInfo {
  const info = POLICIES.find((p) => p.name === name);
  if (!info) {
    throw new KvsimInputError(`unknown policy "${name}" (known: ${POLICIES.map((p) => p.name).join(", ")})`);
  }
  return info;
}

/** A policy's parameters, user values over defaults (see `resolveParams`). */
export function resolvePolicyParams(info: PolicyInfo, params: Record<string, unknown> = {}): Record<string, number> {
  return resolveParams(`policy "${info.name}"`, info.params, params);
}
