import { Policy } from "../policies/policy";
import { policyEntry } from "../policies/registry";
import { PolicyEntry } from "../policies/entry";
import {
  initState, pageSizeInput, loadPageSizes, tierCapacity, useHostFuture, separateTiers, nextUse, NEVER, PROFILE_KVSIM,
} from "../hierarchy/state";
import { initResidency, keepOrder, allowPinning, linkIn, linkOut, isIn, setPinnedPage, isPinnedPage, tierCount } from "../hierarchy/residency";
import { ListPool } from "../util/list-pool";
import { LinkPair } from "../util/node-layout";
import { IntMap } from "../util/int-map";
import { seedRng } from "../util/rng";
import { StartResult } from "../abi/policies";
import { PoolInvariant } from "../abi/block-pool";

/**
 * The content cached in a block pool's tiers, as the page policies (assembly/policies/) see it:
 * the pool evicts with the same policies as the hierarchy, through the same hooks. A page is a
 * content of one tier (a block hash cached there), named by a dense id so that the policy's
 * per-page arrays can index it; a tier's page count is the blocks that tier caches.
 *
 * - For a policy that remembers pages it evicted (its entry's `remembersEvictedPages`: S3-FIFO's
 *   ghost), names outlive eviction for a while: a tier remembers the names of its most recently
 *   evicted contents, as many as it has blocks, so a content that returns is the same page again.
 *   Beyond that the oldest is forgotten (`Policy.onForget`) and its name reused; a tier thus has
 *   twice as many names as blocks. For any other policy nothing of an evicted content is read
 *   again, so a content's name is its block: the page's state then sits at the block's index, as
 *   the pool's own arrays do (random names cost the serving env 2.5-3x in cache misses).
 * - Events: a content cached (a miss: `onAccess(page, -1)`), hit by a request (`onAccess` with the
 *   tier the page is resident in, or -1), released by its last request, evicted (the policy's
 *   `victim`, then `onLeave` and `onEvict`; every eviction drops the content, the tiers being
 *   separate caches). Belady's next use comes from the host, through `nextUse[0]`.
 * - A content whose block is in use may not be evicted. A policy that keeps pinned pages
 *   (`Policy.keepsPinnedPages`: fifo, sieve, clock, s3fifo) holds it from caching to eviction and
 *   passes over it while pinned; any other holds only free cached blocks, a content entering
 *   when its last request releases it — for lru that is vLLM's free queue, least recently freed
 *   first.
 */

let policy: Policy = changetype<Policy>(0);
let keepsPinned = false;
let remembers = false;
let future = false;
let namesPerBlock = 1;
let names = new StaticArray<IntMap>(0);          // per tier: hash → name (cached or remembered)
let hashOfName = new StaticArray<i64>(0);
let blockOfName = new StaticArray<i32>(0);       // -1 while only remembered; empty unless remembers
let useOfName = new StaticArray<i32>(0);         // the next use the host gave; empty unless future
let nameLists = new ListPool<LinkPair>(0, 0);    // 2·tier: remembered, oldest first; 2·tier + 1: unused
let nameStart = new StaticArray<i32>(0);
let blocksIn = new StaticArray<i32>(0);
let remembered = new StaticArray<i32>(0);
let cached = new StaticArray<i32>(0);

/** Whether policy `id` can evict a pool's blocks with `paramCount` parameters: a `StartResult`. */
export function checkBlockPolicy(id: i32, paramCount: i32): i32 {
  const entry = policyEntry(id);
  if (!entry) return StartResult.unknownPolicy;
  if (paramCount != entry.params.length) return StartResult.wrongParameterCount;
  return entry.blocks ? StartResult.started : StartResult.notForBlocks;
}

/**
 * Sets up the content of tiers of `tierBlocks[t]` blocks, evicted by policy `id` (checked with
 * `checkBlockPolicy`) with its parameter struct at `params`; random choices draw from the
 * engine's generator, seeded here with `rngSeed`.
 */
export function setupContent(tierBlocks: StaticArray<i32>, id: i32, params: usize, rngSeed: u64): void {
  const tiers = tierBlocks.length;
  const entry = changetype<PolicyEntry>(policyEntry(id));
  // Whether the policy remembers evicted pages decides how many names a block needs; the policy
  // itself is made below, once the state its constructor sizes itself by exists.
  remembers = entry.remembers;
  future = entry.future;
  namesPerBlock = remembers ? 2 : 1;
  nameStart = new StaticArray<i32>(tiers);
  blocksIn = StaticArray.slice<i32>(tierBlocks);
  let total = 0;
  for (let t = 0; t < tiers; t++) {
    unchecked(nameStart[t] = total);
    total += namesPerBlock * unchecked(tierBlocks[t]);
  }
  initState(total, tiers, PROFILE_KVSIM, 0);
  for (let p = 0; p < total; p++) unchecked(pageSizeInput[p] = 1);
  loadPageSizes();
  for (let t = 0; t < tiers; t++) unchecked(tierCapacity[t] = <i64>unchecked(tierBlocks[t]));
  initResidency();
  separateTiers();
  useHostFuture();
  names = new StaticArray<IntMap>(tiers);
  for (let t = 0; t < tiers; t++) unchecked(names[t] = new IntMap(max(1, namesPerBlock * unchecked(tierBlocks[t]))));
  // Each per-name array a block event touches is a likely cache miss (blocks come and go in no
  // order), so a name that is its block keeps no block array, and only belady keeps next uses:
  // the two cost the serving env about a third of its speed.
  hashOfName = new StaticArray<i64>(total);
  blockOfName = new StaticArray<i32>(remembers ? total : 0);
  useOfName = new StaticArray<i32>(future ? total : 0);
  nameLists = new ListPool<LinkPair>(2 * tiers, total);
  remembered = new StaticArray<i32>(tiers);
  cached = new StaticArray<i32>(tiers);
  policy = entry.make(params);
  keepsPinned = policy.keepsPinnedPages();
  keepOrder(policy.hints().walksTierOrder);
  if (keepsPinned) allowPinning();
  policy.onStart(false);
  seedRng(rngSeed);
  clearNames();
}

function clearNames(): void {
  nameLists.clear();
  for (let t = 0; t < names.length; t++) {
    unchecked(names[t]).clear();
    unchecked(remembered[t] = 0);
    unchecked(cached[t] = 0);
    const start = unchecked(nameStart[t]);
    for (let n = start; n < start + namesPerBlock * unchecked(blocksIn[t]); n++) {
      unchecked(hashOfName[n] = -1);
      if (!remembers) continue;
      unchecked(blockOfName[n] = -1);
      nameLists.append(2 * t + 1, n);
    }
  }
}

/**
 * Drops every content through the policy's own hooks (leave, evict, forget), so the policy holds
 * nothing and remembers nothing, as when it was made, without allocating.
 */
export function clearContent(): void {
  for (let t = 0; t < names.length; t++) {
    const start = unchecked(nameStart[t]);
    for (let n = start; n < start + namesPerBlock * unchecked(blocksIn[t]); n++) {
      if (blockOf(n) >= 0) {
        if (isIn(t, n)) leave(n, t);
        setPinnedPage(n, false);
        policy.onEvict(n, t);
      }
      if (unchecked(hashOfName[n]) >= 0) policy.onForget(n);
    }
  }
  clearNames();
}

/** The block caching name `n`'s content, or -1 (a name only remembered, or unused). */
@inline function blockOf(n: i32): i32 {
  if (remembers) return unchecked(blockOfName[n]);
  return unchecked(hashOfName[n]) >= 0 ? n : -1;
}

/** The block of `tier` caching `hash`, or -1. */
@inline export function blockCaching(tier: i32, hash: i64): i32 {
  const n = unchecked(names[tier]).get(hash);
  if (n < 0) return -1;
  return remembers ? unchecked(blockOfName[n]) : n; // without memory the map holds only cached names
}

@inline export function hashOf(name: i32): i64 {
  return unchecked(hashOfName[name]);
}

/** The next use the host gave for content `name` (NEVER unless the policy reads the future). */
@inline export function useOf(name: i32): i32 {
  return future ? unchecked(useOfName[name]) : NEVER;
}

export function cachedIn(tier: i32): i32 {
  return unchecked(cached[tier]);
}

@inline function access(name: i32, hitTier: i32): void {
  if (future) unchecked(nextUse[0] = useOfName[name]);
  policy.onAccess(name, hitTier);
}

function leave(name: i32, tier: i32): void {
  policy.onLeave(name, tier);
  linkOut(tier, name);
}

function enter(name: i32, tier: i32): void {
  linkIn(tier, name);
  policy.onEnter(name, tier);
}

/**
 * Caches `hash` in `block` of `tier`, a block in use whose content is next used at `use`. Returns
 * the content's name, or -1 when another block of the tier already caches that hash.
 */
export function cacheContent(tier: i32, hash: i64, block: i32, use: i32): i32 {
  const map = unchecked(names[tier]);
  let n = block;
  if (!remembers) {
    if (!map.insertIfAbsent(hash, n)) return -1; // one probe, as the pool's own map made
    unchecked(hashOfName[n] = hash);
  } else if ((n = map.get(hash)) >= 0) {
    if (unchecked(blockOfName[n]) >= 0) return -1;
    nameLists.remove(2 * tier, n);
    unchecked(remembered[tier] = remembered[tier] - 1);
  } else {
    n = nameLists.first(2 * tier + 1);
    nameLists.remove(2 * tier + 1, n);
    map.set(hash, n);
    unchecked(hashOfName[n] = hash);
  }
  if (remembers) unchecked(blockOfName[n] = block);
  if (future) unchecked(useOfName[n] = use);
  unchecked(cached[tier] = cached[tier] + 1);
  access(n, -1);
  if (keepsPinned) {
    enter(n, tier);
    setPinnedPage(n, true);
  }
  return n;
}

/** A request uses cached content `name` of `tier`, next used at `use`; `wasFree`: no request did. */
export function useContent(name: i32, tier: i32, use: i32, wasFree: bool): void {
  if (future) unchecked(useOfName[name] = use);
  // A policy that holds only free blocks hears of the hit once the page has left (it comes back
  // at release): the same outcome as before it leaves, without lru moving a page about to go.
  if (wasFree && !keepsPinned) leave(name, tier);
  access(name, isIn(tier, name) ? tier : -1);
  if (wasFree && keepsPinned) setPinnedPage(name, true);
}

/** The last request using content `name` of `tier` released it. */
export function releaseContent(name: i32, tier: i32): void {
  if (keepsPinned) setPinnedPage(name, false);
  else enter(name, tier);
}

/**
 * Evicts the policy's victim among the tier's free cached blocks (at least one must exist) and
 * returns its block, now uncached. A policy that finds none, or names a block in use, is a bug:
 * the engine aborts.
 */
/** The hash of the content `evictContent` last dropped (the pool offloads it to the tier below). */
export let evictedHash: i64 = -1;

export function evictContent(tier: i32): i32 {
  const n = policy.victim(tier, -1);
  if (n < 0 || !isIn(tier, n) || isPinnedPage(n)) abort(`block pool: the eviction policy gave ${n}, not a free cached block of tier ${tier}`);
  const block = blockOf(n);
  evictedHash = unchecked(hashOfName[n]);
  leave(n, tier);
  policy.onEvict(n, tier);
  unchecked(cached[tier] = cached[tier] - 1);
  if (!remembers) {
    unchecked(names[tier]).delete(unchecked(hashOfName[n]), n);
    unchecked(hashOfName[n] = -1);
    return block;
  }
  unchecked(blockOfName[n] = -1);
  nameLists.append(2 * tier, n);
  if (unchecked(remembered[tier]) < unchecked(blocksIn[tier])) {
    unchecked(remembered[tier] = remembered[tier] + 1);
  } else {
    const oldest = nameLists.first(2 * tier);
    nameLists.remove(2 * tier, oldest);
    unchecked(names[tier]).delete(unchecked(hashOfName[oldest]));
    unchecked(hashOfName[oldest] = -1);
    policy.onForget(oldest);
    nameLists.append(2 * tier + 1, oldest);
  }
  return block;
}

/**
 * Checks the content against the pool's blocks (`nameOfBlock`, `refCount`): every cached content
 * names its block and is found by its hash, and the policy holds exactly what it should (see
 * above). Returns the first `PoolInvariant` broken, or `ok`.
 */
export function checkContent(nameOfBlock: StaticArray<i32>, refCount: StaticArray<i32>): i32 {
  for (let t = 0; t < names.length; t++) {
    let held = 0;
    const start = unchecked(nameStart[t]);
    for (let n = start; n < start + namesPerBlock * unchecked(blocksIn[t]); n++) {
      const b = blockOf(n);
      const hash = unchecked(hashOfName[n]);
      if (hash >= 0 && unchecked(names[t]).get(hash) != n) return PoolInvariant.hashMap;
      if (b < 0) {
        if (isIn(t, n)) return PoolInvariant.eviction;
        continue;
      }
      if (unchecked(nameOfBlock[b]) != n || hash < 0) return PoolInvariant.hashMap;
      const inUse = unchecked(refCount[b]) > 0;
      const shouldHold = keepsPinned || !inUse;
      if (isIn(t, n) != shouldHold || (keepsPinned && isPinnedPage(n) != inUse)) return PoolInvariant.eviction;
      if (shouldHold) held++;
    }
    if (held != unchecked(tierCount[t])) return PoolInvariant.eviction;
  }
  return PoolInvariant.ok;
}
