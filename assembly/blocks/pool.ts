import { ListPool } from "../util/list-pool";
import { LinkPair } from "../util/node-layout";
import { PoolInvariant, PoolRefusal, PoolTier } from "../abi/block-pool";
import {
  setupContent, clearContent, cacheContent, useContent, releaseContent, evictContent, checkContent, blockCaching,
  cachedIn, hashOf, useOf, evictedHash, evictedUse, renewUse,
} from "./cached-content";
import { TimedOffload } from "../abi/timed";
import { NEVER } from "../hierarchy/state";
import { sharedTierHas, sharedTierPut, sharedTierUse, sharedTierCount } from "./shared-tier";

/**
 * A paged KV block pool with prefix caching, after vLLM v1's `BlockPool` / `KVCacheManager`
 * (block_pool.py, kv_cache_utils.py, kv_cache_manager.py), with a second (CPU) tier for swapping
 * and offloading, and optionally a third (disk) below it that the CPU tier offloads to.
 *
 * - Blocks are preallocated: GPU blocks are ids [0, gpuBlocks), CPU blocks follow, then disk blocks. Each has a
 *   reference count and, once full and cached, content: a hash (an i64 the host derives from the
 *   block's tokens and its parent's hash, so a hash names a whole prefix).
 * - Free blocks without content wait in a per-tier free list, an intrusive doubly linked list
 *   like vLLM's free queue: freed ones go to the head (no reuse value), allocation takes the head.
 *   Only when a tier has none is cached content evicted, from a free block, and that block taken.
 * - Which content goes is the tier's eviction policy, any page policy of the registry that can
 *   evict blocks (assembly/policies/; cached-content.ts says how blocks become its pages). `lru`
 *   gives vLLM's order: least recently freed first, a request's blocks being freed last-first so
 *   a chain's tail is evicted before its prefix.
 * - Requests own block tables (fixed rows of `maxBlocksPerRequest`). One hash maps to one cached
 *   block per tier: a block filled with content already cached stays uncached (vLLM keeps both,
 *   SGLang deduplicates; only the number of reusable copies differs).
 */

export const GPU: i32 = PoolTier.gpu;
export const CPU: i32 = PoolTier.cpu;
export const DISK: i32 = PoolTier.disk;

let blockTokens: i32 = 16;
/** Tiers the content knows: 3 with a disk tier, else 2 (the disk's arrays below then hold an empty tier). */
let tiers: i32 = 2;
let tierStart = new StaticArray<i32>(3);
let tierSize = new StaticArray<i32>(3);
let freeCount = new StaticArray<i32>(3);
let refCount = new StaticArray<i32>(0);
let nameOf = new StaticArray<i32>(0);       // the block's content (cached-content.ts), -1 when uncached
let uncachedFree = new ListPool<LinkPair>(0, 0);

let maxRequests: i32 = 0;
let maxPerRequest: i32 = 0;
let tables = new StaticArray<i32>(0);
let tableLength = new StaticArray<i32>(0);
let tableTier = new StaticArray<i32>(0);
let requestTokens = new StaticArray<i32>(0);
let requestCached = new StaticArray<i32>(0);
let checkRefs = new StaticArray<i32>(0);
let checkListed = new StaticArray<i32>(0);

/**
 * Host-filled inputs of the next call: block hashes and, for belady, their next use (a time;
 * 0x7fffffff, the hierarchy's NEVER, for never).
 */
export let hashInput = new StaticArray<i64>(0);
export let nextUseInput = new StaticArray<i32>(0);
/** The blocks cachedPrefix found, in order (admit reuses them instead of probing again). */
let prefixBlocks = new StaticArray<i32>(0);
/**
 * The blocks the last `cachedRunBelow` found, in order: each the CPU tier's, else the disk tier's
 * (or `SHARED_READ`), and where its run began (`holdRun` takes them instead of probing again).
 */
let belowBlocks = new StaticArray<i32>(0);
let belowFrom: i32 = 0;
let belowCount: i32 = 0;

/** Counters since setup. */
export let hitBlocks: i64 = 0;
export let evictedBlocks: i64 = 0;
export let swappedOutBlocks: i64 = 0;
export let swappedInBlocks: i64 = 0;
/** Contents copied to the CPU tier as an offload (not counting those already there). */
export let offloadedBlocks: i64 = 0;
/** Contents copied from the CPU tier to the disk tier, and from the disk tier into the CPU tier as a load passed through it. */
export let diskOffloadedBlocks: i64 = 0;
export let stagedBlocks: i64 = 0;

/**
 * Offload to the CPU tier, off by default: on GPU eviction (write-back) or as a GPU block is
 * cached (write-through). The copy is a CPU block caching the same hash, free at once, so a later
 * prefix can be found there; the tier evicts with its own policy (by default the GPU's).
 */
const OFFLOAD_NONE: i32 = -1;
let offloadMode: i32 = OFFLOAD_NONE;
/** Offload from the CPU tier to the disk tier, the same two ways (on CPU eviction, or as content enters the CPU tier). */
let diskOffloadMode: i32 = OFFLOAD_NONE;
/** The disk tier is a fleet's shared store in another instance (shared-tier.ts), not blocks of this pool. */
let diskShared = false;
/** Blocks below the GPU a request holds while its prefix is loaded from them, and their copies staged in the CPU tier (see `holdRun`). */
let held = new StaticArray<i32>(0);
/** In `belowBlocks` and `held`: a block read from the shared store, which this pool does not hold. */
const SHARED_READ: i32 = -2;
let heldCount: i32 = 0;

/**
 * Sets the pool up, its cached blocks evicted by page policy `policy` (checked with
 * `checkBlockPolicy`) with its parameter struct at `params`, the CPU tier's by `cpuPolicy` with
 * its own at `cpuParams` (-1: the GPU's policy evicts both tiers, as one instance), and a disk
 * tier of `diskBlocks` (0: none) by `diskPolicy` at `diskParams` (-1: the CPU tier's); `seed`
 * seeds random eviction.
 */
export function setupPool(
  gpuBlocks: i32, cpuBlocks: i32, tokensPerBlock: i32, requests: i32, blocksPerRequest: i32, policy: i32, params: usize, seed: u64,
  cpuPolicy: i32 = -1, cpuParams: usize = 0, diskBlocks: i32 = 0, diskPolicy: i32 = -1, diskParams: usize = 0,
): void {
  blockTokens = tokensPerBlock;
  const total = gpuBlocks + cpuBlocks + diskBlocks;
  tierStart = new StaticArray<i32>(3);
  tierSize = new StaticArray<i32>(3);
  freeCount = new StaticArray<i32>(3);
  unchecked(tierStart[CPU] = gpuBlocks);
  unchecked(tierStart[DISK] = gpuBlocks + cpuBlocks);
  unchecked(tierSize[GPU] = gpuBlocks);
  unchecked(tierSize[CPU] = cpuBlocks);
  unchecked(tierSize[DISK] = diskBlocks);
  refCount = new StaticArray<i32>(total);
  nameOf = new StaticArray<i32>(total);
  uncachedFree = new ListPool<LinkPair>(3, total);
  // Without a disk tier the content has the two tiers it had before there was one.
  tiers = diskBlocks > 0 ? 3 : 2;
  const sizes = new StaticArray<i32>(tiers);
  const policies = new StaticArray<i32>(tiers);
  const paramStructs = new StaticArray<usize>(tiers);
  for (let t = 0; t < tiers; t++) unchecked(sizes[t] = tierSize[t]);
  unchecked(policies[GPU] = policy);
  unchecked(paramStructs[GPU] = params);
  unchecked(policies[CPU] = cpuPolicy < 0 ? policy : cpuPolicy);
  unchecked(paramStructs[CPU] = cpuPolicy < 0 ? params : cpuParams);
  if (tiers == 3) {
    unchecked(policies[DISK] = diskPolicy < 0 ? policies[CPU] : diskPolicy);
    unchecked(paramStructs[DISK] = diskPolicy < 0 ? paramStructs[CPU] : diskParams);
  }
  setupContent(sizes, policies, paramStructs, seed);
  maxRequests = requests;
  maxPerRequest = blocksPerRequest;
  tables = new StaticArray<i32>(requests * blocksPerRequest);
  tableLength = new StaticArray<i32>(requests);
  tableTier = new StaticArray<i32>(requests);
  requestTokens = new StaticArray<i32>(requests);
  requestCached = new StaticArray<i32>(requests);
  checkRefs = new StaticArray<i32>(total);
  checkListed = new StaticArray<i32>(total);
  hashInput = new StaticArray<i64>(blocksPerRequest);
  nextUseInput = new StaticArray<i32>(blocksPerRequest);
  prefixBlocks = new StaticArray<i32>(blocksPerRequest);
  belowBlocks = new StaticArray<i32>(blocksPerRequest);
  // A run's blocks, and as many copies staged in the CPU tier.
  held = new StaticArray<i32>(2 * blocksPerRequest);
  offloadMode = OFFLOAD_NONE;
  diskOffloadMode = OFFLOAD_NONE;
  diskShared = false;
  resetPool();
}

/** Copies GPU content to the CPU tier as a `TimedOffload` says (only when the pool has a CPU tier). */
export function setOffload(mode: i32): void {
  offloadMode = unchecked(tierSize[CPU]) > 0 ? mode : OFFLOAD_NONE;
}

/** Copies CPU content to the disk tier as a `TimedOffload` says (only when the pool has a disk tier, its own or shared). */
export function setDiskOffload(mode: i32): void {
  diskOffloadMode = unchecked(tierSize[DISK]) > 0 || diskShared ? mode : OFFLOAD_NONE;
}

/** Makes the disk tier the fleet's shared store (set up without disk blocks of its own, before `setDiskOffload`). */
export function setDiskShared(): void {
  if (unchecked(tierSize[DISK]) > 0) abort("block pool: a shared disk tier replaces the pool's own");
  diskShared = true;
}

/** Empties the pool in place (no allocation): every block free and uncached, every table empty. */
export function resetPool(): void {
  const total = unchecked(tierSize[GPU]) + unchecked(tierSize[CPU]) + unchecked(tierSize[DISK]);
  clearContent();
  uncachedFree.clear();
  for (let b = 0; b < total; b++) {
    unchecked(refCount[b] = 0);
    unchecked(nameOf[b] = -1);
    uncachedFree.append(tierOf(b), b);
  }
  unchecked(freeCount[GPU] = tierSize[GPU]);
  unchecked(freeCount[CPU] = tierSize[CPU]);
  unchecked(freeCount[DISK] = tierSize[DISK]);
  for (let r = 0; r < maxRequests; r++) {
    unchecked(tableLength[r] = 0);
    unchecked(tableTier[r] = GPU);
    unchecked(requestTokens[r] = 0);
    unchecked(requestCached[r] = 0);
  }
  hitBlocks = 0;
  evictedBlocks = 0;
  swappedOutBlocks = 0;
  swappedInBlocks = 0;
  offloadedBlocks = 0;
  diskOffloadedBlocks = 0;
  stagedBlocks = 0;
  heldCount = 0;
  belowCount = 0;
}

@inline function tierOf(b: i32): i32 {
  return b < unchecked(tierStart[CPU]) ? GPU : b < unchecked(tierStart[DISK]) ? CPU : DISK;
}

@inline function blocksFor(tokens: i32): i32 {
  return (tokens + blockTokens - 1) / blockTokens;
}

export function freeBlocks(tier: i32): i32 {
  return unchecked(freeCount[tier]);
}

export function cachedBlocks(tier: i32): i32 {
  if (tier == DISK && diskShared) return sharedTierCount();
  return tier < tiers ? cachedIn(tier) : 0;
}

export function blocksOf(request: i32): i32 {
  return unchecked(tableLength[request]);
}

export function tierOfRequest(request: i32): i32 {
  return unchecked(tableTier[request]);
}

/** The request's block table, for inspection. */
export function tableOf(request: i32): usize {
  return changetype<usize>(tables) + ((<usize>(request * maxPerRequest)) << 2);
}

/** Takes a free block of the tier for new content: an uncached one, else one the policy evicts. */
function popFree(t: i32): i32 {
  let b = uncachedFree.first(t);
  if (b >= 0) {
    uncachedFree.remove(t, b);
  } else {
    b = evictContent(t);
    unchecked(nameOf[b] = -1);
    evictedBlocks++;
    if (t == GPU) {
      if (offloadMode == TimedOffload.onEviction) copyDown(CPU, evictedHash, evictedUse);
    } else if (t == CPU && diskOffloadMode == TimedOffload.onEviction) {
      copyDown(DISK, evictedHash, evictedUse);
    }
  }
  unchecked(freeCount[t] = freeCount[t] - 1);
  unchecked(refCount[b] = 1);
  return b;
}

/**
 * Copies content `h`, next used at `use` (the evicted or cached content's), to tier `to` (the CPU
 * or the disk tier, or the GPU tier of a pool used as a store), unless it is cached there already
 * (then it counts as used now). The copy takes a free block of the tier, evicting its content by
 * its policy if none is uncached (a CPU eviction may offload in turn, to disk). Returns whether
 * a copy was made.
 */
function copyDown(to: i32, h: i64, use: i32): bool {
  if (to == DISK && diskShared) {
    // Another instance may have stored it already: then nothing crosses the link (a store's put of a key it holds is a no-op).
    const copied = sharedTierPut(<f64>h);
    if (copied) diskOffloadedBlocks++;
    return copied;
  }
  const there = blockCaching(to, h);
  if (there >= 0) {
    acquire(there, use);
    release(there);
    return false;
  }
  // Every block of the tier in use (a swapped request's, a load's): the copy is dropped, as a full staging buffer would.
  if (unchecked(freeCount[to]) == 0) return false;
  const b = popFree(to);
  cache(b, h, use);
  release(b);
  if (to == CPU) offloadedBlocks++;
  else if (to == DISK) diskOffloadedBlocks++;
  return true;
}

/**
 * A pool used as a fleet's shared store (shared-tier.ts) holds content in its GPU tier and serves
 * no requests: stores `hash`, evicting by the tier's policy when full. False when it was there
 * (then it counts as used now). Hashes come as f64 (below 2^53), as the engines pass them.
 */
export function storeContent(hash: f64): bool {
  return copyDown(GPU, <i64>hash, NEVER);
}

/** Whether the store holds `hash`. */
export function storeHolds(hash: f64): bool {
  return blockCaching(GPU, <i64>hash) >= 0;
}

/** The store's content `hash`, if held, counts as read now. */
export function useStoredContent(hash: f64): void {
  const b = blockCaching(GPU, <i64>hash);
  if (b < 0) return;
  acquire(b, NEVER);
  release(b);
}

/** The block of the CPU tier caching `h`, else the disk tier's (`SHARED_READ` for the shared store's), else -1. */
@inline function blockBelow(h: i64): i32 {
  const b = blockCaching(CPU, h);
  if (b >= 0) return b;
  if (diskShared) return sharedTierHas(<f64>h) ? SHARED_READ : -1;
  return tiers == 3 ? blockCaching(DISK, h) : -1;
}

/** Whether block `b` of `belowBlocks` was found on disk only. */
@inline function onDiskOnly(b: i32): bool {
  return b == SHARED_READ || b >= unchecked(tierStart[DISK]);
}

function release(b: i32): void {
  const c = unchecked(refCount[b]) - 1;
  unchecked(refCount[b] = c);
  if (c > 0) return;
  const t = tierOf(b);
  const name = unchecked(nameOf[b]);
  if (name < 0) uncachedFree.prepend(t, b);
  else releaseContent(name, t);
  unchecked(freeCount[t] = freeCount[t] + 1);
}

/** A request takes cached block b, whose content it next uses at `use`. */
function acquire(b: i32, use: i32): void {
  const wasFree = unchecked(refCount[b]) == 0;
  if (wasFree) unchecked(freeCount[tierOf(b)] = freeCount[tierOf(b)] - 1);
  unchecked(refCount[b] = refCount[b] + 1);
  useContent(unchecked(nameOf[b]), tierOf(b), use, wasFree);
}

/** Gives block b (in use, uncached) content `h`, unless another block of its tier caches it. */
function cache(b: i32, h: i64, use: i32): void {
  const t = tierOf(b);
  const name = cacheContent(t, h, b, use);
  if (name >= 0) unchecked(nameOf[b] = name);
  if (t == GPU) {
    if (offloadMode == TimedOffload.whenFull) copyDown(CPU, h, use);
  } else if (t == CPU && diskOffloadMode == TimedOffload.whenFull) {
    copyDown(DISK, h, use);
  }
}

@inline function push(request: i32, b: i32): void {
  const n = unchecked(tableLength[request]);
  unchecked(tables[request * maxPerRequest + n] = b);
  unchecked(tableLength[request] = n + 1);
}

/** Gives block `b` the hash of the request's next full block (input slot `k`), unless cached. */
function cacheBlock(b: i32, k: i32): void {
  if (unchecked(nameOf[b]) < 0) cache(b, unchecked(hashInput[k]), unchecked(nextUseInput[k]));
}

export function isCached(tier: i32, h: i64): bool {
  return blockCaching(tier, h) >= 0;
}

/** Longest run of the first `count` input hashes cached in the tier; their blocks go to `prefixBlocks`. */
export function cachedPrefix(tier: i32, count: i32): i32 {
  let n = 0;
  while (n < count) {
    const b = blockCaching(tier, unchecked(hashInput[n]));
    if (b < 0) break;
    unchecked(prefixBlocks[n++] = b);
  }
  return n;
}

/**
 * The request whose hashes fill the input has passed the contents of its first `count` blocks:
 * every copy of them cached in any tier, taken or not, is next used when the input says. A
 * policy reading the future would otherwise keep a copy the request passed by (in the CPU tier
 * behind a GPU hit, past a gap in its prefix) as if its use were still to come.
 */
export function renewUses(count: i32): void {
  for (let t = GPU; t < tiers; t++) {
    if (cachedIn(t) == 0) continue;
    for (let k = 0; k < count; k++) {
      const b = blockCaching(t, unchecked(hashInput[k]));
      if (b >= 0) renewUse(unchecked(nameOf[b]), t, unchecked(nextUseInput[k]));
    }
  }
}

/** Longest run of input hashes [from, count) cached in the tier (nothing changes). */
export function cachedRun(tier: i32, from: i32, count: i32): i32 {
  let n = 0;
  while (from + n < count && blockCaching(tier, unchecked(hashInput[from + n])) >= 0) n++;
  return n;
}

/**
 * Longest run of input hashes [from, count) cached below the GPU, each block in the CPU tier or
 * else in the disk tier (nothing changes); `diskOnlyIn(n)` then counts its first n found on disk only.
 */
export function cachedRunBelow(from: i32, count: i32): i32 {
  let n = 0;
  while (from + n < count) {
    const b = blockBelow(unchecked(hashInput[from + n]));
    if (b == -1) break;
    unchecked(belowBlocks[n++] = b);
  }
  belowFrom = from;
  belowCount = n;
  return n;
}

/** Whether block k of the last `cachedRunBelow` was found on disk only. */
export function isDiskOnly(k: i32): bool {
  return onDiskOnly(unchecked(belowBlocks[k]));
}

/** Blocks among the first `n` of the last `cachedRunBelow` found on disk only. */
export function diskOnlyIn(n: i32): i32 {
  let d = 0;
  for (let k = 0; k < n; k++) if (onDiskOnly(unchecked(belowBlocks[k]))) d++;
  return d;
}

/**
 * Holds the blocks of input hashes [from, count), a run the last `cachedRunBelow` found from the
 * same `from` (nothing has changed since), in use so no eviction takes them until `releaseHeld`:
 * a prefix being loaded stays where it is while the request's GPU blocks are allocated, which
 * may offload and evict. A block read from disk passes through host memory and is cached in the
 * CPU tier (held too), as LMCache's storage manager writes what it finds in a lower backend back
 * to its CPU one; when every CPU block is in use it passes uncached. A block of a shared store is
 * read (used there) and not held: the read copies it now, whatever the store evicts next.
 */
export function holdRun(from: i32, count: i32): void {
  if (heldCount != 0) abort("block pool: holdRun before the last run was released");
  const n = count - from;
  if (from != belowFrom || n > belowCount) abort("block pool: holdRun of blocks the last cachedRunBelow did not find");
  for (let k = 0; k < n; k++) {
    const b = unchecked(belowBlocks[k]);
    if (b == SHARED_READ) sharedTierUse(<f64>unchecked(hashInput[from + k]));
    else acquire(b, unchecked(nextUseInput[from + k]));
    unchecked(held[k] = b);
  }
  heldCount = n;
  for (let k = 0; k < n && (tiers == 3 || diskShared); k++) {
    const b = unchecked(held[k]);
    if ((b != SHARED_READ && tierOf(b) != DISK) || unchecked(freeCount[CPU]) == 0) continue;
    const s = popFree(CPU);
    cache(s, unchecked(hashInput[from + k]), unchecked(nextUseInput[from + k]));
    unchecked(held[heldCount++] = s);
    stagedBlocks++;
  }
}

/** Releases the blocks `holdRun` held (as used now: they were just read). */
export function releaseHeld(): void {
  for (let k = 0; k < heldCount; k++) {
    const b = unchecked(held[k]);
    if (b != SHARED_READ) release(b);
  }
  heldCount = 0;
}

/**
 * Whether a request of `tokens` tokens sharing the first `hit` blocks the last `cachedPrefix`
 * of the GPU found would find room there (nothing changes).
 */
export function admissionFits(tokens: i32, hit: i32): bool {
  // A hit block already free still counts against the free pool when it is taken.
  let takenFree = 0;
  for (let k = 0; k < hit; k++) if (unchecked(refCount[prefixBlocks[k]]) == 0) takenFree++;
  return blocksFor(tokens) - hit + takenFree <= unchecked(freeCount[GPU]);
}

/**
 * Admits a request of `tokens` tokens on the GPU by vLLM's rules: the input holds the hashes of
 * its floor(tokens / blockTokens) full blocks, and at most tokens − 1 tokens can hit (the last
 * prompt token is recomputed for its logits). See `admitBlocks`.
 */
export function admit(request: i32, tokens: i32): i32 {
  return admitBlocks(request, tokens, tokens / blockTokens, (tokens - 1) / blockTokens);
}

/**
 * Admits a request of `tokens` tokens on the GPU whose first `cacheable` blocks have their final
 * content (their hashes in the input). Cached prefix blocks are shared, at most `mostHit` of them,
 * the rest allocated, and the new cacheable blocks cached. Returns the hit blocks, or a
 * `PoolRefusal` (nothing changed): noRoom when the GPU lacks free blocks, tableFull when the
 * request would exceed its table, wrongState when the request already holds blocks.
 */
export function admitBlocks(request: i32, tokens: i32, cacheable: i32, mostHit: i32): i32 {
  if (unchecked(tableLength[request]) > 0) return PoolRefusal.wrongState;
  const needed = blocksFor(tokens);
  if (needed > maxPerRequest) return PoolRefusal.tableFull;
  const hit = max(min(cachedPrefix(GPU, cacheable), mostHit), 0);
  if (!admissionFits(tokens, hit)) return PoolRefusal.noRoom;
  unchecked(tableLength[request] = 0);
  unchecked(tableTier[request] = GPU);
  for (let k = 0; k < hit; k++) {
    const b = unchecked(prefixBlocks[k]); // the map has not changed since cachedPrefix
    acquire(b, unchecked(nextUseInput[k]));
    push(request, b);
  }
  for (let k = hit; k < needed; k++) {
    const b = popFree(GPU);
    push(request, b);
    if (k < cacheable) cacheBlock(b, k);
  }
  unchecked(requestTokens[request] = tokens);
  unchecked(requestCached[request] = cacheable);
  hitBlocks += hit;
  return hit;
}

/** Grows a GPU-resident request to `tokens` by vLLM's rules: every full block is cached. See `growBlocks`. */
export function grow(request: i32, tokens: i32): i32 {
  return growBlocks(request, tokens, tokens / blockTokens);
}

/**
 * Grows a GPU-resident request to `tokens`, its first `cacheable` blocks having their final
 * content. The input holds the hashes of the blocks that became cacheable, in order, starting at
 * the request's first uncached one. Returns the new blocks allocated, or a `PoolRefusal`: noRoom
 * when the GPU lacks free blocks, tableFull past the table's end, wrongState when the request is
 * not on the GPU or would shrink.
 */
export function growBlocks(request: i32, tokens: i32, cacheable: i32): i32 {
  if (unchecked(tableTier[request]) != GPU || tokens < unchecked(requestTokens[request])) return PoolRefusal.wrongState;
  const have = unchecked(tableLength[request]);
  const needed = blocksFor(tokens);
  if (needed > maxPerRequest) return PoolRefusal.tableFull;
  const extra = max(0, needed - have);
  if (extra > unchecked(freeCount[GPU])) return PoolRefusal.noRoom;
  for (let k = 0; k < extra; k++) push(request, popFree(GPU));
  const first = unchecked(requestCached[request]);
  const base = request * maxPerRequest;
  for (let i = first; i < cacheable; i++) cacheBlock(unchecked(tables[base + i]), i - first);
  unchecked(requestCached[request] = max(first, cacheable));
  unchecked(requestTokens[request] = tokens);
  return extra;
}

/** Frees the request's blocks, last first (so a chain's tail is evicted before its prefix), as vLLM does. */
export function freeRequest(request: i32): void {
  const base = request * maxPerRequest;
  for (let i = unchecked(tableLength[request]) - 1; i >= 0; i--) release(unchecked(tables[base + i]));
  forget(request);
}

/**
 * Frees the request's blocks first to last, the order a replay touches them in: an LRU then
 * evicts a chain's head first, as in a replay that accesses each request's blocks in order.
 */
export function freeRequestHeadFirst(request: i32): void {
  const base = request * maxPerRequest;
  const n = unchecked(tableLength[request]);
  for (let i = 0; i < n; i++) release(unchecked(tables[base + i]));
  forget(request);
}

@inline function forget(request: i32): void {
  unchecked(tableLength[request] = 0);
  unchecked(requestTokens[request] = 0);
  unchecked(requestCached[request] = 0);
}

/**
 * Moves a request's blocks to the other tier. A block whose content is already cached there is
 * shared instead of copied; copies keep their hash, so offloaded prefixes can be hit again.
 * The source blocks are then freed (and stay cached there). Returns the blocks copied, or
 * `PoolRefusal.noRoom` when the destination lacks free blocks.
 */
export function swap(request: i32, to: i32): i32 {
  const from = unchecked(tableTier[request]);
  if (from == to) return 0;
  const n = unchecked(tableLength[request]);
  const base = request * maxPerRequest;
  let copies = 0;
  let takenFree = 0;
  const free = unchecked(freeCount[to]);
  for (let i = 0; i < n; i++) {
    const name = unchecked(nameOf[tables[base + i]]);
    const there = name < 0 ? -1 : blockCaching(to, hashOf(name));
    if (there < 0) copies++;
    else if (unchecked(refCount[there]) == 0) takenFree++;
    // The count only grows: stop at the first block that does not fit (a waiting swap-in is
    // retried every tick while the GPU stays full).
    if (copies + takenFree > free) return PoolRefusal.noRoom;
  }
  for (let i = 0; i < n; i++) {
    const b = unchecked(tables[base + i]);
    const name = unchecked(nameOf[b]);
    let there = name < 0 ? -1 : blockCaching(to, hashOf(name));
    if (there >= 0) {
      acquire(there, useOf(name));
    } else {
      there = popFree(to);
      if (name >= 0) cache(there, hashOf(name), useOf(name));
    }
    unchecked(tables[base + i] = there);
    release(b);
  }
  unchecked(tableTier[request] = to);
  if (to == CPU) swappedOutBlocks += copies;
  else swappedInBlocks += copies;
  return copies;
}

/** Checks every invariant; returns the first `PoolInvariant` broken, or `ok`. */
export function checkPool(): i32 {
  const total = unchecked(tierSize[GPU]) + unchecked(tierSize[CPU]) + unchecked(tierSize[DISK]);
  const refs = checkRefs;
  for (let b = 0; b < total; b++) {
    unchecked(refs[b] = 0);
    unchecked(checkListed[b] = 0);
  }
  for (let r = 0; r < maxRequests; r++) {
    const base = r * maxPerRequest;
    for (let i = 0; i < unchecked(tableLength[r]); i++) {
      const b = unchecked(tables[base + i]);
      unchecked(refs[b] = refs[b] + 1);
      if (tierOf(b) != unchecked(tableTier[r])) return PoolInvariant.mixedTiers;
    }
  }
  for (let b = 0; b < total; b++) if (unchecked(refs[b]) != unchecked(refCount[b])) return PoolInvariant.refCount;
  for (let t = 0; t < 3; t++) {
    let listed = 0;
    for (let b = uncachedFree.first(t); b >= 0; b = uncachedFree.next(b)) {
      if (unchecked(refCount[b]) != 0 || unchecked(nameOf[b]) >= 0 || tierOf(b) != t) return PoolInvariant.freeQueue;
      unchecked(checkListed[b] = 1);
      listed++;
    }
    let used = 0;
    let free = 0;
    for (let b = unchecked(tierStart[t]); b < unchecked(tierStart[t]) + unchecked(tierSize[t]); b++) {
      if (unchecked(refCount[b]) > 0) used++;
      else if (unchecked(nameOf[b]) >= 0) free++;
      else if (unchecked(checkListed[b]) == 0) return PoolInvariant.freeQueue;
    }
    if (listed + free != unchecked(freeCount[t]) || used + listed + free != unchecked(tierSize[t])) return PoolInvariant.counts;
  }
  return checkContent(nameOf, refCount);
}

export function hashInputBuffer(): usize {
  return changetype<usize>(hashInput);
}

export function nextUseInputBuffer(): usize {
  return changetype<usize>(nextUseInput);
}
