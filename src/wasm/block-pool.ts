import { KvsimInputError } from "../errors.js";
import { PoolInvariant, PoolRefusal, PoolStat, PoolTier } from "../../assembly/abi/block-pool.js";
import { instantiate, servingModule, view, type ServingExports } from "./instance.js";
import { blockEviction, setupWithEviction } from "./block-eviction.js";

export type Tier = "gpu" | "cpu";
/** The next use of a block never used again, and the largest finite one is one less. */
const NEVER_USED = 0x7fffffff;

export interface BlockPoolConfig {
  gpuBlocks: number;
  cpuBlocks: number;
  tokensPerBlock: number;
  /** Request slots (ids 0 … maxRequests − 1). */
  maxRequests: number;
  maxBlocksPerRequest: number;
  /**
   * The page policy that picks which free cached block a tier gives up when it has no uncached
   * free block: any of `BLOCK_POLICIES` (lru, fifo, lfu, belady, random, sieve, s3fifo, clock).
   * Default `lru`, vLLM's free-queue order (least recently freed first).
   */
  eviction?: string;
  /** The policy's parameters (its defaults for those left out). */
  evictionParams?: Record<string, number>;
  /** Seeds `random` eviction. Default 0. */
  seed?: number;
}

export interface BlockPoolStats {
  hitBlocks: number;
  evictedBlocks: number;
  swappedOutBlocks: number;
  swappedInBlocks: number;
}

const TIERS: Record<Tier, PoolTier> = { gpu: PoolTier.gpu, cpu: PoolTier.cpu };
const INVARIANTS: Record<PoolInvariant, string> = {
  [PoolInvariant.ok]: "",
  [PoolInvariant.refCount]: "a block's refcount differs from the block tables referencing it",
  [PoolInvariant.freeQueue]: "a free list holds a block in use or cached, or misses a free uncached one",
  [PoolInvariant.counts]: "free + used ≠ total in a tier",
  [PoolInvariant.eviction]: "the eviction policy holds a cached block it should not, or misses one",
  [PoolInvariant.hashMap]: "a content's name, hash and block disagree",
  [PoolInvariant.mixedTiers]: "a request's block table mixes tiers",
};

/**
 * The WASM paged block pool (assembly/blocks/pool.ts: vLLM v1's free queue, prefix cache by
 * chained block hashes, reference counts, plus a CPU tier for swapping). Block hashes are
 * non-negative integers below 2^53 chosen by the caller; equal hashes mean equal prefixes. The
 * pool owns its WebAssembly instance.
 */
export class BlockPool {
  readonly config: Required<BlockPoolConfig>;
  private readonly wasm: ServingExports;

  constructor(config: BlockPoolConfig, module: WebAssembly.Module = servingModule()) {
    this.config = { eviction: "lru", evictionParams: {}, seed: 0, ...config };
    for (const key of ["gpuBlocks", "cpuBlocks", "tokensPerBlock", "maxRequests", "maxBlocksPerRequest"] as const) {
      const v = this.config[key];
      if (!Number.isInteger(v) || v < (key === "cpuBlocks" ? 0 : 1)) throw new KvsimInputError(`block pool: ${key} must be a positive integer, got ${v}`);
    }
    const seed = this.config.seed;
    if (!Number.isSafeInteger(seed) || seed < 0) throw new KvsimInputError(`block pool: seed must be a non-negative integer, got ${seed}`);
    const eviction = blockEviction(this.config.eviction, this.config.evictionParams, "block pool: eviction");
    const engine = (this.wasm = instantiate<ServingExports>(module, "block pool", this));
    const c = this.config;
    setupWithEviction(engine, eviction, (policyId) =>
      engine.poolSetup(c.gpuBlocks, c.cpuBlocks, c.tokensPerBlock, c.maxRequests, c.maxBlocksPerRequest, policyId, seed));
  }

  private request(id: number): number {
    if (!Number.isInteger(id) || id < 0 || id >= this.config.maxRequests) {
      throw new KvsimInputError(`block pool: request ${id} out of range 0..${this.config.maxRequests - 1}`);
    }
    return id;
  }

  private input(hashes: ArrayLike<number>, nextUse?: ArrayLike<number>): void {
    if (hashes.length > this.config.maxBlocksPerRequest) throw new KvsimInputError(`block pool: ${hashes.length} hashes exceed maxBlocksPerRequest`);
    const input = view(this.wasm, BigInt64Array, this.wasm.poolHashInput(), hashes.length);
    for (let i = 0; i < hashes.length; i++) {
      const h = hashes[i]!;
      // Negative values are the pool's own markers (no hash, empty map slot).
      if (!Number.isSafeInteger(h) || h < 0) throw new KvsimInputError(`block pool: hashes[${i}] = ${h} is not a non-negative integer below 2^53`);
      input[i] = BigInt(h);
    }
    if (nextUse && nextUse.length !== hashes.length) throw new KvsimInputError(`block pool: ${nextUse.length} next uses for ${hashes.length} hashes`);
    const uses = view(this.wasm, Int32Array, this.wasm.poolNextUseInput(), hashes.length);
    for (let i = 0; i < hashes.length; i++) {
      const u = nextUse?.[i] ?? Infinity;
      const finite = Number.isInteger(u) && u >= 0 && u < NEVER_USED;
      if (!finite && u !== Infinity) throw new KvsimInputError(`block pool: nextUse[${i}] = ${u} is not a non-negative integer below 2^31 − 1 or Infinity`);
      uses[i] = finite ? u : NEVER_USED;
    }
  }

  /**
   * Admits request `id` with `tokens` prompt tokens on the GPU; `hashes` are those of its
   * floor(tokens / tokensPerBlock) full blocks (and `nextUse`, for belady, when each is next
   * needed: an integer time, Infinity for never). Returns the blocks served from the prefix cache, or -1 when the GPU is too full.
   */
  admit(id: number, tokens: number, hashes: ArrayLike<number>, nextUse?: ArrayLike<number>): number {
    this.input(hashes, nextUse);
    const r = this.wasm.poolAdmit(this.request(id), tokens);
    if (r === PoolRefusal.wrongState) throw new KvsimInputError(`block pool: request ${id} already holds blocks (free it first)`);
    return this.checked(id, r);
  }

  /** Grows a GPU request to `tokens`; `newHashes` are the blocks that became full. New blocks, or -1. */
  grow(id: number, tokens: number, newHashes: ArrayLike<number>, nextUse?: ArrayLike<number>): number {
    this.input(newHashes, nextUse);
    const r = this.wasm.poolGrow(this.request(id), tokens);
    if (r === PoolRefusal.wrongState) throw new KvsimInputError(`block pool: request ${id} is not on the GPU or would shrink to ${tokens} tokens`);
    return this.checked(id, r);
  }

  private checked(id: number, result: number): number {
    if (result === PoolRefusal.tableFull) throw new KvsimInputError(`block pool: request ${id} needs more than ${this.config.maxBlocksPerRequest} blocks`);
    return result;
  }

  /** Releases the request's blocks (last first); cached ones stay reusable until evicted. */
  free(id: number): void {
    this.wasm.poolFree(this.request(id));
  }

  /** Moves the request's blocks to `to`; returns the blocks copied, or -1 when `to` is too full. */
  swap(id: number, to: Tier): number {
    return this.wasm.poolSwap(this.request(id), TIERS[to]);
  }

  /** How many of the leading `hashes` are cached on `tier`. */
  cachedPrefix(tier: Tier, hashes: ArrayLike<number>): number {
    this.input(hashes);
    return this.wasm.poolCachedPrefix(TIERS[tier], hashes.length);
  }

  freeBlocks(tier: Tier): number {
    return this.wasm.poolFreeBlocks(TIERS[tier]);
  }

  cachedBlocks(tier: Tier): number {
    return this.wasm.poolCachedBlocks(TIERS[tier]);
  }

  /** The request's block ids (GPU ids 0 … gpuBlocks − 1, CPU ids after them). */
  table(id: number): Int32Array {
    const n = this.wasm.poolBlocksOf(this.request(id));
    return view(this.wasm, Int32Array, this.wasm.poolTable(id), n).slice();
  }

  tierOf(id: number): Tier {
    return this.wasm.poolTierOf(this.request(id)) === PoolTier.gpu ? "gpu" : "cpu";
  }

  stats(): BlockPoolStats {
    const s = (i: PoolStat) => this.wasm.poolStats(i);
    return {
      hitBlocks: s(PoolStat.hitBlocks), evictedBlocks: s(PoolStat.evictedBlocks),
      swappedOutBlocks: s(PoolStat.swappedOutBlocks), swappedInBlocks: s(PoolStat.swappedInBlocks),
    };
  }

  /** Throws if any invariant is broken (ownership, refcounts, free queues, free + used = total). */
  check(): void {
    const code = this.wasm.poolCheck() as PoolInvariant;
    if (code !== PoolInvariant.ok) throw new Error(`block pool invariant ${code} broken: ${INVARIANTS[code]}`);
  }
}
