import { KvsimInputError } from "../errors.js";
import type { Scenario } from "../hierarchy/scenario.js";
import { startRun } from "../simulate.js";
import type { RequestTrace } from "../traces/formats/mooncake.js";
import type { HierarchyEngine } from "../wasm/hierarchy.js";

export interface PrefixReplayOptions {
  trace: RequestTrace;
  /** Cache size in blocks, or "unbounded" (every block fits: only cold misses). */
  capacityBlocks: number | "unbounded";
  /** Any page policy of the kvsim profile (lru, lfu, fifo, sieve, s3fifo, belady, …). */
  policy: string;
  params?: Record<string, unknown>;
  seed?: number;
  engine?: HierarchyEngine;
}

export interface PrefixReplayResult {
  requests: number;
  blocks: number;
  hitBlocks: number;
  hitRate: number;
  /** Blocks dropped to make room. */
  evictions: number;
  replayMs: number;
}

/**
 * The Mooncake paper's prefix-cache experiment (FAST'25, Figure 9): requests in file order against
 * one cache of `capacityBlocks` equal blocks. A request's hit blocks are the longest prefix of its
 * blocks all cached before it runs; then each of its blocks is touched if cached or inserted if
 * not, the policy evicting whenever the cache would exceed its capacity. Runs on the page engine
 * (one tier, unit-size pages), so every page policy applies.
 */
export function prefixReplay(options: PrefixReplayOptions): PrefixReplayResult {
  const { trace } = options;
  const capacity = options.capacityBlocks === "unbounded" ? Math.max(1, trace.numBlocks) : options.capacityBlocks;
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new KvsimInputError(`capacity must be a positive number of blocks or "unbounded", got ${options.capacityBlocks}`);
  }
  const numPages = Math.max(1, trace.numBlocks);
  const scenario: Scenario = {
    name: "prefix-cache", quantization: "fp16", prefetch: { enabled: false, maxCandidates: 0 },
    tiers: [{ name: "cache", capacityBytes: capacity, readLatencyMs: 0, writeLatencyMs: 0, bandwidthBytesPerMs: 1 }],
  };
  const engine = startRun({
    scenario, policy: options.policy, params: options.params, seed: options.seed, engine: options.engine, profile: "kvsim",
    trace: { name: trace.name, numPages, accesses: trace.blocks, pageBytes: new Int32Array(numPages).fill(1) },
  });
  const count = trace.offsets.length - 1;
  const t0 = performance.now();
  const { done, prefixHitBlocks: hitBlocks } = engine.replayRequests(trace.offsets);
  engine.finish();
  const replayMs = performance.now() - t0;
  const error = engine.error();
  if (done !== count || error) throw new Error(`prefix replay stopped at request ${done} (engine error ${error?.code ?? 0})`);
  const blocks = trace.blocks.length;
  const { evictions } = engine.counters().run;
  return { requests: count, blocks, hitBlocks, hitRate: blocks ? hitBlocks / blocks : 0, evictions, replayMs };
}
