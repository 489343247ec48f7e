import { ListPool } from "../util/list-pool";
import { LinkPair } from "../util/node-layout";
import { LazyHeaps } from "../util/lazy-heap";
import { IntMap } from "../util/int-map";
import { S3FifoQueues } from "./s3fifo-queues";
import { CacheEviction, PoolInvariant, PoolRefusal, PoolStat, PoolTier } from "../abi/block-pool";

/**
 * A paged KV block pool with prefix caching, after vLLM v1's `BlockPool` / `KVCacheManager`
 * (block_pool.py, kv_cache_utils.py, kv_cache_manager.py), with a second (CPU) tier for swapping.
 *
 * - Blocks are preallocated: GPU blocks are ids [0, gpuBlocks), CPU blocks follow. Each has a
 *   reference count and, once full and cached, a hash (an i64 the host derives from the block's
 *   tokens and its parent's hash, so a hash names a whole prefix).
 * - Each tier has a free queue, an intrusive doubly linked list over the blocks holding every
 *   block with refcount 0. Freed blocks without a hash go to the head (no reuse value); freed
 *   cached blocks go to the tail; a request's blocks are freed last-first, so a chain's tail is
 *   evicted before its prefix. Allocation pops from the head; a popped cached block is evicted
 *   from the hash map there and then (vLLM's lazy eviction). A cache hit on a free cached block
 *   unlinks it from the queue.
 * - Which free cached block is evicted is pluggable: `lru` is vLLM's queue order (least recently
 *   freed); `fifo` (earliest cached), `lfu` (fewest hits) and `belady` (next use farthest in the
 *   future, given by the host) keep the free cached blocks of each tier in a heap as well (lazy-heap.ts);
 *   `s3fifo` keeps every cached block in S3-FIFO's small and main queues (s3fifo-queues.ts).
 *   Free blocks without a hash are always taken first.
 * - Requests own block tables (fixed rows of `maxBlocksPerRequest`). One hash maps to one cached
 *   block per tier: a block filled with content already cached stays uncached (vLLM keeps both,
 *   SGLang deduplicates; only the number of reusable copies differs).
 */

export const GPU: i32 = PoolTier.gpu;
export const CPU: i32 = PoolTier.cpu;
const NO_HASH: i64 = -1;

let blockTokens: i32 = 16;
let tierStart = new StaticArray<i32>(2);
let tierSize = new StaticArray<i32>(2);
let freeCount = new StaticArray<i32>(2);
let refCount = new StaticArray<i32>(0);
let hashOf = new StaticArray<i64>(0);
let hits = new StaticArray<i32>(0);
let cachedAt = new StaticArray<i64>(0);
let nextUse = new StaticArray<f64>(0);
let freeQueue = new ListPool<LinkPair>(0, 0);
let evictHeap = new LazyHeaps<LinkPair>(new StaticArray<i32>(0), 0, 0, 0);
let s3 = changetype<S3FifoQueues>(0);
let maps = new StaticArray<IntMap>(0);
let evictPolicy: i32 = CacheEviction.lru;
let clock: i64 = 0;

let maxRequests: i32 = 0;
let maxPerRequest: i32 = 0;
let tables = new StaticArray<i32>(0);
let tableLength = new StaticArray<i32>(0);
let tableTier = new StaticArray<i32>(0);
let requestTokens = new StaticArray<i32>(0);
let requestCached = new StaticArray<i32>(0);
let checkRefs = new StaticArray<i32>(0);
let checkQueued = new StaticArray<i32>(0);

/** Host-filled inputs of the next call: block hashes and, for belady, their next use. */
export let hashInput = new StaticArray<i64>(0);
export let nextUseInput = new StaticArray<f64>(0);
/** The blocks cachedPrefix found, in order (admit reuses them instead of probing again). */
let prefixBlocks = new StaticArray<i32>(0);

/** Counters since setup. */
export let hitBlocks: i64 = 0;
export let evictedBlocks: i64 = 0;
export let swappedOutBlocks: i64 = 0;
export let swappedInBlocks: i64 = 0;

export function setupPool(gpuBlocks: i32, cpuBlocks: i32, tokensPerBlock: i32, requests: i32, blocksPerRequest: i32, policy: i32): void {
  blockTokens = tokensPerBlock;
  const total = gpuBlocks + cpuBlocks;
  tierStart = new StaticArray<i32>(2);
  tierSize = new StaticArray<i32>(2);
  freeCount = new StaticArray<i32>(2);
  unchecked(tierStart[CPU] = gpuBlocks);
  unchecked(tierSize[GPU] = gpuBlocks);
  unchecked(tierSize[CPU] = cpuBlocks);
  refCount = new StaticArray<i32>(total);
  hashOf = new StaticArray<i64>(total);
  hits = new StaticArray<i32>(total);
  cachedAt = new StaticArray<i64>(total);
  nextUse = new StaticArray<f64>(total);
  freeQueue = new ListPool<LinkPair>(2, total);
  // belady's keys (minus the next use) do not grow with time: no sorted run.
  evictHeap = new LazyHeaps<LinkPair>(tierSize, total, 0, policy != CacheEviction.belady ? 1 : 0);
  s3 = new S3FifoQueues(total, tierStart, tierSize, refCount);
  maps = new StaticArray<IntMap>(2);
  unchecked(maps[GPU] = new IntMap(max(1, gpuBlocks)));
  unchecked(maps[CPU] = new IntMap(max(1, cpuBlocks)));
  evictPolicy = policy;
  maxRequests = requests;
  maxPerRequest = blocksPerRequest;
  tables = new StaticArray<i32>(requests * blocksPerRequest);
  tableLength = new StaticArray<i32>(requests);
  tableTier = new StaticArray<i32>(requests);
  requestTokens = new StaticArray<i32>(requests);
  requestCached = new StaticArray<i32>(requests);
  checkRefs = new StaticArray<i32>(total);
  checkQueued = new StaticArray<i32>(total);
  hashInput = new StaticArray<i64>(blocksPerRequest);
  nextUseInput = new StaticArray<f64>(blocksPerRequest);
  prefixBlocks = new StaticArray<i32>(blocksPerRequest);
  resetPool();
}

/** Empties the pool in place (no allocation): every block free and uncached, every table empty. */
export function resetPool(): void {
  const total = unchecked(tierSize[GPU]) + unchecked(tierSize[CPU]);
  clock = 0;
  freeQueue.clear();
  evictHeap.clear();
  s3.clear();
  unchecked(maps[GPU]).clear();
  unchecked(maps[CPU]).clear();
  for (let b = 0; b < total; b++) {
    unchecked(refCount[b] = 0);
    unchecked(hashOf[b] = NO_HASH);
    unchecked(hits[b] = 0);
    freeQueue.append(tierOf(b), b);
  }
  unchecked(freeCount[GPU] = tierSize[GPU]);
  unchecked(freeCount[CPU] = tierSize[CPU]);
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
}

@inline function tierOf(b: i32): i32 {
  return b < unchecked(tierStart[CPU]) ? GPU : CPU;
}

@inline function blocksFor(tokens: i32): i32 {
  return (tokens + blockTokens - 1) / blockTokens;
}

export function freeBlocks(tier: i32): i32 {
  return unchecked(freeCount[tier]);
}

export function cachedBlocks(tier: i32): i32 {
  return unchecked(maps[tier]).size;
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

/** fifo, lfu and belady keep the free cached blocks in a heap keyed by `score`. */
@inline function heapPolicy(): bool {
  return evictPolicy == CacheEviction.fifo || evictPolicy == CacheEviction.lfu || evictPolicy == CacheEviction.belady;
}

function score(b: i32): f64 {
  if (evictPolicy == CacheEviction.fifo) return <f64>unchecked(cachedAt[b]);
  if (evictPolicy == CacheEviction.lfu) return <f64>unchecked(hits[b]);
  return -unchecked(nextUse[b]); // belady: the farthest next use is the smallest key
}

/** Makes a free block unavailable (a hit on it, or its allocation). */
function unlinkFree(b: i32): void {
  const t = tierOf(b);
  freeQueue.remove(t, b);
  if (heapPolicy() && unchecked(hashOf[b]) != NO_HASH) evictHeap.remove(t, b);
  unchecked(freeCount[t] = freeCount[t] - 1);
}

/** Drops a block's cached content (it is being reused for other tokens). */
function uncache(b: i32): void {
  const h = unchecked(hashOf[b]);
  if (h == NO_HASH) return;
  unchecked(maps[tierOf(b)]).delete(h, b);
  unchecked(hashOf[b] = NO_HASH);
  if (evictPolicy == CacheEviction.s3fifo) s3.onUncache(tierOf(b), b);
  evictedBlocks++;
}

/** Takes a free block of the tier for new content: uncached ones first, else the policy's victim. */
function popFree(t: i32): i32 {
  let b = freeQueue.first(t);
  if (unchecked(hashOf[b]) != NO_HASH) {
    if (heapPolicy()) b = evictHeap.top(t);
    else if (evictPolicy == CacheEviction.s3fifo) {
      const v = s3.victim(t, hashOf);
      if (v >= 0) b = v; // -1 cannot happen while a free cached block exists; the queue head is then as good
    }
  }
  unlinkFree(b);
  uncache(b);
  unchecked(refCount[b] = 1);
  unchecked(hits[b] = 0);
  return b;
}

function release(b: i32): void {
  const c = unchecked(refCount[b]) - 1;
  unchecked(refCount[b] = c);
  if (c > 0) return;
  const t = tierOf(b);
  if (unchecked(hashOf[b]) == NO_HASH) {
    freeQueue.prepend(t, b);
  } else {
    freeQueue.append(t, b);
    if (heapPolicy()) evictHeap.insert(t, b, score(b));
  }
  unchecked(freeCount[t] = freeCount[t] + 1);
}

function acquire(b: i32): void {
  if (unchecked(refCount[b]) == 0) unlinkFree(b);
  unchecked(refCount[b] = refCount[b] + 1);
  unchecked(hits[b] = hits[b] + 1);
  if (evictPolicy == CacheEviction.s3fifo) s3.onHit(b);
}

/** Records block b (of its tier) as holding the content named `h`. */
function setCached(b: i32, h: i64): void {
  unchecked(maps[tierOf(b)]).set(h, b);
  markCached(b, h);
}

/** The block-side half of setCached, once the tier's map names b for h. */
function markCached(b: i32, h: i64): void {
  unchecked(hashOf[b] = h);
  unchecked(cachedAt[b] = clock++);
  if (evictPolicy == CacheEviction.s3fifo) s3.onCache(tierOf(b), b, h);
}

@inline function push(request: i32, b: i32): void {
  const n = unchecked(tableLength[request]);
  unchecked(tables[request * maxPerRequest + n] = b);
  unchecked(tableLength[request] = n + 1);
}

/** Gives block `b` the hash of the request's next full block (input slot `k`), unless cached elsewhere. */
function cacheBlock(b: i32, k: i32): void {
  const h = unchecked(hashInput[k]);
  unchecked(nextUse[b] = nextUseInput[k]);
  if (unchecked(hashOf[b]) != NO_HASH) return;
  if (unchecked(maps[tierOf(b)]).insertIfAbsent(h, b)) markCached(b, h);
}

export function isCached(tier: i32, h: i64): bool {
  return unchecked(maps[tier]).get(h) >= 0;
}

/** Longest run of the first `count` input hashes cached in the tier; their blocks go to `prefixBlocks`. */
export function cachedPrefix(tier: i32, count: i32): i32 {
  const map = unchecked(maps[tier]);
  let n = 0;
  while (n < count) {
    const b = map.get(unchecked(hashInput[n]));
    if (b < 0) break;
    unchecked(prefixBlocks[n++] = b);
  }
  return n;
}

/**
 * Admits a request of `tokens` tokens on the GPU. The input holds the hashes of its
 * floor(tokens / blockTokens) full blocks. Cached prefix blocks are shared (at most
 * tokens − 1 tokens can hit: the last prompt token is recomputed for its logits), the rest
 * allocated, and the new full blocks cached. Returns the hit blocks, or a `PoolRefusal` (nothing
 * changed): noRoom when the GPU lacks free blocks, tableFull when the request would exceed its
 * table, wrongState when the request already holds blocks.
 */
export function admit(request: i32, tokens: i32): i32 {
  if (unchecked(tableLength[request]) > 0) return PoolRefusal.wrongState;
  const full = tokens / blockTokens;
  const needed = blocksFor(tokens);
  if (needed > maxPerRequest) return PoolRefusal.tableFull;
  let hit = min(cachedPrefix(GPU, full), (tokens - 1) / blockTokens);
  hit = max(hit, 0);
  // A hit block already free still counts against the free pool when it is taken.
  let takenFree = 0;
  for (let k = 0; k < hit; k++) if (unchecked(refCount[prefixBlocks[k]]) == 0) takenFree++;
  if (needed - hit + takenFree > unchecked(freeCount[GPU])) return PoolRefusal.noRoom;
  unchecked(tableLength[request] = 0);
  unchecked(tableTier[request] = GPU);
  for (let k = 0; k < hit; k++) {
    const b = unchecked(prefixBlocks[k]); // the map has not changed since cachedPrefix
    acquire(b);
    unchecked(nextUse[b] = nextUseInput[k]);
    push(request, b);
  }
  for (let k = hit; k < needed; k++) {
    const b = popFree(GPU);
    push(request, b);
    if (k < full) cacheBlock(b, k);
  }
  unchecked(requestTokens[request] = tokens);
  unchecked(requestCached[request] = full);
  hitBlocks += hit;
  return hit;
}

/**
 * Grows a GPU-resident request to `tokens`. The input holds the hashes of the blocks that became
 * full, in order, starting at the request's first uncached full block. Returns the new blocks
 * allocated, or a `PoolRefusal`: noRoom when the GPU lacks free blocks, tableFull past the table's
 * end, wrongState when the request is not on the GPU or would shrink.
 */
export function grow(request: i32, tokens: i32): i32 {
  if (unchecked(tableTier[request]) != GPU || tokens < unchecked(requestTokens[request])) return PoolRefusal.wrongState;
  const have = unchecked(tableLength[request]);
  const needed = blocksFor(tokens);
  if (needed > maxPerRequest) return PoolRefusal.tableFull;
  const extra = max(0, needed - have);
  if (extra > unchecked(freeCount[GPU])) return PoolRefusal.noRoom;
  for (let k = 0; k < extra; k++) push(request, popFree(GPU));
  const first = unchecked(requestCached[request]);
  const full = tokens / blockTokens;
  const base = request * maxPerRequest;
  for (let i = first; i < full; i++) cacheBlock(unchecked(tables[base + i]), i - first);
  unchecked(requestCached[request] = max(first, full));
  unchecked(requestTokens[request] = tokens);
  return extra;
}

/** Frees the request's blocks, last first (so a chain's tail is evicted before its prefix). */
export function freeRequest(request: i32): void {
  const base = request * maxPerRequest;
  for (let i = unchecked(tableLength[request]) - 1; i >= 0; i--) release(unchecked(tables[base + i]));
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
  const map = unchecked(maps[to]);
  let copies = 0;
  let takenFree = 0;
  const free = unchecked(freeCount[to]);
  for (let i = 0; i < n; i++) {
    const h = unchecked(hashOf[tables[base + i]]);
    const there = h == NO_HASH ? -1 : map.get(h);
    if (there < 0) copies++;
    else if (unchecked(refCount[there]) == 0) takenFree++;
    // The count only grows: stop at the first block that does not fit (a waiting swap-in is
    // retried every tick while the GPU stays full).
    if (copies + takenFree > free) return PoolRefusal.noRoom;
  }
  for (let i = 0; i < n; i++) {
    const b = unchecked(tables[base + i]);
    const h = unchecked(hashOf[b]);
    let there = h == NO_HASH ? -1 : map.get(h);
    if (there >= 0) {
      acquire(there);
    } else {
      there = popFree(to);
      if (h != NO_HASH) setCached(there, h);
    }
    unchecked(nextUse[there] = nextUse[b]);
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
  const total = unchecked(tierSize[GPU]) + unchecked(tierSize[CPU]);
  const refs = checkRefs;
  const inQueue = checkQueued;
  for (let b = 0; b < total; b++) {
    unchecked(refs[b] = 0);
    unchecked(inQueue[b] = 0);
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
  for (let t = 0; t < 2; t++) {
    let n = 0;
    let seenCached = false;
    for (let b = freeQueue.first(t); b >= 0; b = freeQueue.next(b)) {
      if (unchecked(refCount[b]) != 0 || tierOf(b) != t) return PoolInvariant.freeQueue;
      unchecked(inQueue[b] = 1);
      n++;
      const cached = unchecked(hashOf[b]) != NO_HASH;
      if (!cached && seenCached) return PoolInvariant.freeOrder;
      seenCached = seenCached || cached;
    }
    if (n != unchecked(freeCount[t])) return PoolInvariant.counts;
    let used = 0;
    for (let b = unchecked(tierStart[t]); b < unchecked(tierStart[t]) + unchecked(tierSize[t]); b++) if (unchecked(refCount[b]) > 0) used++;
    if (used + n != unchecked(tierSize[t])) return PoolInvariant.counts;
  }
  for (let b = 0; b < total; b++) if (unchecked(refCount[b]) == 0 && unchecked(inQueue[b]) == 0) return PoolInvariant.freeQueue;
  for (let b = 0; b < total; b++) {
    const h = unchecked(hashOf[b]);
    if (h != NO_HASH && unchecked(maps[tierOf(b)]).get(h) != b) return PoolInvariant.hashMap;
  }
  return PoolInvariant.ok;
}

export function hashInputBuffer(): usize {
  return changetype<usize>(hashInput);
}

export function nextUseInputBuffer(): usize {
  return changetype<usize>(nextUseInput);
}
