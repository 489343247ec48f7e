import { Policy } from "../policies/policy";
import { policyEntry } from "../policies/registry";
import { PolicyEntry } from "../policies/entry";
import {
  initState, pageSizeInput, loadPageSizes, tierCapacity, useHostFuture, separateTiers, nextUse, NEVER, PROFILE_KVSIM,
} from "../hierarchy/state";
import { initResidency, keepTierOrder, allowPinning, linkIn, linkOut, isIn, setPinnedPage, isPinnedPage, tierCount } from "../hierarchy/residency";
import { ListPool } from "../util/list-pool";
import { LinkPair } from "../util/node-layout";
import { IntMap } from "../util/int-map";
import { seedRng } from "../util/rng";
import { StartResult } from "../abi/policies";
import { PoolInvariant } from "../abi/block-pool";

/**
 * The content cached in a block pool's tiers, as the page policies (assembly/policies/) see it:
 * the pool evicts with the same policies as the hierarchy, through the same hooks, each tier with
 * its own (`setupContent` says how tiers of different policies share the engine's state). A page
 * is a content of one tier (a block hash cached there), named by a dense id so that the policy's
 * per-page arrays can index it; a tier's page count is the blocks that tier caches, and no name
 * is ever another tier's, so a page's record and per-page state belong to one tier's policy.
 *
 * - For a policy that remembers pages it evicted (its entry's `remembersEvictedPages`: S3-FIFO's
 *   ghost), names outlive eviction for a while: a tier remembers the names of its most recently
 *   evicted contents, as many as it has blocks, so a content that returns is the same page again.
 *   Beyond that the oldest is forgotten (`Policy.onForget`) and its name reused; a tier thus has
 *   twice as many names as blocks. For any other policy nothing of an evicted content is read
 *   again, so a content's name is its block (offset by `nameShift`): the page's state then sits
 *   at the block's index, as the pool's own arrays do (random names cost the serving env 2.5-3x in cache misses).
 * - Events: a content cached (a miss: `onAccess(page, -1)`), hit by a request (`onAccess` with the
 *   tier the page is resident in, or -1), released by its last request, evicted (the policy's
 *   `victim`, then `onLeave` and `onEvict`; every eviction drops the content, the tiers being
 *   separate caches). Belady's next use comes from the host, through `nextUse[0]`; while any
 *   tier's policy reads it, every tier keeps its contents' next uses, so that a copy to another
 *   tier (an offload, a swap) carries its content's.
 * - A content whose block is in use may not be evicted. A policy that keeps pinned pages
 *   (`Policy.keepsPinnedPages`: fifo, sieve, clock, s3fifo) holds it from caching to eviction and
 *   passes over it while pinned; any other holds only free cached blocks, a content entering
 *   when its last request releases it — for lru that is vLLM's free queue, least recently freed
 *   first.
 */

/** Each tier's policy: tiers given the same policy and parameters share one instance (one cache, as before tiers had their own). */
let policies = new StaticArray<Policy>(0);
// Bit t set: tier t's policy keeps pinned pages, remembers evicted ones, reads the future.
let pinKeepingTiers: i32 = 0;
let rememberingTiers: i32 = 0;
let futureTiers: i32 = 0;
let namesPerBlock = new StaticArray<i32>(0);
/**
 * Per tier: a content's name minus its block, for a tier whose names are its blocks (its policy
 * remembers nothing): names of a tier are contiguous, so a block's state sits at its index but
 * for this offset (0 on the GPU, and on every tier while no tier remembers).
 */
let nameShift = new StaticArray<i32>(0);
let names = new StaticArray<IntMap>(0);          // per tier: hash → name (cached or remembered)
let hashOfName = new StaticArray<i64>(0);
let blockOfName = new StaticArray<i32>(0);       // -1 while only remembered; empty unless a tier remembers
let useOfName = new StaticArray<i32>(0);         // the next use the host gave; empty unless a tier reads the future
let nameLists = new ListPool<LinkPair>(0, 0);    // 2·tier: remembered, oldest first; 2·tier + 1: unused
let nameStart = new StaticArray<i32>(0);
let blocksIn = new StaticArray<i32>(0);
let remembered = new StaticArray<i32>(0);
let cached = new StaticArray<i32>(0);

@inline function keepsPinned(tier: i32): bool {
  return ((pinKeepingTiers >> tier) & 1) != 0;
}

@inline function remembers(tier: i32): bool {
  return ((rememberingTiers >> tier) & 1) != 0;
}

@inline function readsFuture(tier: i32): bool {
  return ((futureTiers >> tier) & 1) != 0;
}

/** Whether contents keep their next uses: some tier's policy reads them. */
@inline function keepsUses(): bool {
  return futureTiers != 0;
}

@inline function policyOf(tier: i32): Policy {
  return unchecked(policies[tier]);
}

/** Whether policy `id` can evict a pool's blocks with `paramCount` parameters: a `StartResult`. */
export function checkBlockPolicy(id: i32, paramCount: i32): i32 {
  const entry = policyEntry(id);
  if (!entry) return StartResult.unknownPolicy;
  if (paramCount != entry.params.length) return StartResult.wrongParameterCount;
  return entry.blocks ? StartResult.started : StartResult.notForBlocks;
}

/** The parameters policy `id` declares, or -1 for an unknown id. */
export function blockPolicyParamCount(id: i32): i32 {
  const entry = policyEntry(id);
  return entry ? entry.params.length : -1;
}

/**
 * Sets up the content of tiers of `tierBlocks[t]` blocks (block ids follow one another, tier by
 * tier), tier t evicted by policy `policyIds[t]` (checked with `checkBlockPolicy`) with its
 * parameter struct at `paramStructs[t]`; random choices draw from the engine's generator, seeded
 * here with `rngSeed`.
 *
 * Tiers given the same policy with the same parameter values share one instance, which sees both
 * tiers' events as one policy over separate caches (the pool's behaviour before tiers had
 * policies of their own). Otherwise each tier's instance hears only its own tier's pages, and the
 * engine-wide settings are made per tier or to what every policy present needs without changing
 * another's decisions: the tier order is kept only for the tiers whose policy walks it (an unkept
 * order leaves the page records' link slots to the policy, as S3-FIFO's queues and random's sets
 * use them); pinning is allowed if any policy keeps pinned pages (a policy that does not never
 * holds a pinned page, see `checkContent`, so its searches never meet one); the next use is
 * written for the policies that read it. Only random draws from the shared generator, so two
 * different policies never interleave their draws.
 */
export function setupContent(tierBlocks: StaticArray<i32>, policyIds: StaticArray<i32>, paramStructs: StaticArray<usize>, rngSeed: u64): void {
  const tiers = tierBlocks.length;
  if (policyIds.length != tiers || paramStructs.length != tiers) abort("block pool: one eviction policy per tier");
  const entries = new StaticArray<PolicyEntry>(tiers);
  pinKeepingTiers = 0;
  rememberingTiers = 0;
  futureTiers = 0;
  for (let t = 0; t < tiers; t++) {
    const entry = changetype<PolicyEntry>(policyEntry(unchecked(policyIds[t])));
    unchecked(entries[t] = entry);
    // Whether a tier's policy remembers evicted pages decides how many names its blocks need;
    // the policies themselves are made below, once the state their constructors size themselves by exists.
    if (entry.remembers) rememberingTiers |= 1 << t;
    if (entry.future) futureTiers |= 1 << t;
  }
  nameStart = new StaticArray<i32>(tiers);
  namesPerBlock = new StaticArray<i32>(tiers);
  nameShift = new StaticArray<i32>(tiers);
  blocksIn = StaticArray.slice<i32>(tierBlocks);
  let total = 0;
  let firstBlock = 0;
  for (let t = 0; t < tiers; t++) {
    unchecked(namesPerBlock[t] = remembers(t) ? 2 : 1);
    unchecked(nameStart[t] = total);
    unchecked(nameShift[t] = total - firstBlock);
    total += unchecked(namesPerBlock[t]) * unchecked(tierBlocks[t]);
    firstBlock += unchecked(tierBlocks[t]);
  }
  initState(total, tiers, PROFILE_KVSIM, 0);
  for (let p = 0; p < total; p++) unchecked(pageSizeInput[p] = 1);
  loadPageSizes();
  for (let t = 0; t < tiers; t++) unchecked(tierCapacity[t] = <i64>unchecked(tierBlocks[t]));
  initResidency();
  separateTiers();
  useHostFuture();
  names = new StaticArray<IntMap>(tiers);
  for (let t = 0; t < tiers; t++) unchecked(names[t] = new IntMap(max(1, unchecked(namesPerBlock[t]) * unchecked(tierBlocks[t]))));
  // Each per-name array a block event touches is a likely cache miss (blocks come and go in no
  // order), so a name that is its block keeps no block array, and only belady keeps next uses:
  // the two cost the serving env about a third of its speed.
  hashOfName = new StaticArray<i64>(total);
  blockOfName = new StaticArray<i32>(rememberingTiers != 0 ? total : 0);
  useOfName = new StaticArray<i32>(futureTiers != 0 ? total : 0);
  nameLists = new ListPool<LinkPair>(2 * tiers, total);
  remembered = new StaticArray<i32>(tiers);
  cached = new StaticArray<i32>(tiers);
  policies = new StaticArray<Policy>(tiers);
  for (let t = 0; t < tiers; t++) {
    let shared = -1;
    for (let u = 0; u < t && shared < 0; u++) {
      if (unchecked(policyIds[u]) == unchecked(policyIds[t]) && sameParams(unchecked(paramStructs[u]), unchecked(paramStructs[t]), unchecked(entries[t]).paramWords)) shared = u;
    }
    const policy = shared >= 0 ? policyOf(shared) : unchecked(entries[t]).make(unchecked(paramStructs[t]));
    unchecked(policies[t] = policy);
    if (policy.keepsPinnedPages()) {
      pinKeepingTiers |= 1 << t;
      allowPinning();
    }
    keepTierOrder(t, policy.hints().walksTierOrder);
    if (shared < 0) policy.onStart(false);
  }
  seedRng(rngSeed);
  clearNames();
}

/** Whether the parameter structs at `a` and `b`, of `words` f64 each, hold the same values. */
function sameParams(a: usize, b: usize, words: i32): bool {
  for (let k = 0; k < words; k++) if (load<f64>(a + (<usize>k << 3)) != load<f64>(b + (<usize>k << 3))) return false;
  return true;
}

function clearNames(): void {
  nameLists.clear();
  for (let t = 0; t < names.length; t++) {
    unchecked(names[t]).clear();
    unchecked(remembered[t] = 0);
    unchecked(cached[t] = 0);
    const start = unchecked(nameStart[t]);
    for (let n = start; n < start + unchecked(namesPerBlock[t]) * unchecked(blocksIn[t]); n++) {
      unchecked(hashOfName[n] = -1);
      if (!remembers(t)) continue;
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
    for (let n = start; n < start + unchecked(namesPerBlock[t]) * unchecked(blocksIn[t]); n++) {
      if (blockOf(t, n) >= 0) {
        if (isIn(t, n)) leave(n, t);
        setPinnedPage(n, false);
        policyOf(t).onEvict(n, t);
      }
      if (unchecked(hashOfName[n]) >= 0) policyOf(t).onForget(n);
    }
  }
  clearNames();
}

/** The block caching name `n`'s content (a name of tier `tier`), or -1 (a name only remembered, or unused). */
@inline function blockOf(tier: i32, n: i32): i32 {
  if (remembers(tier)) return unchecked(blockOfName[n]);
  return unchecked(hashOfName[n]) >= 0 ? n - unchecked(nameShift[tier]) : -1;
}

/** The block of `tier` caching `hash`, or -1. */
@inline export function blockCaching(tier: i32, hash: i64): i32 {
  const n = unchecked(names[tier]).get(hash);
  if (n < 0) return -1;
  return remembers(tier) ? unchecked(blockOfName[n]) : n - unchecked(nameShift[tier]); // without memory the map holds only cached names
}

@inline export function hashOf(name: i32): i64 {
  return unchecked(hashOfName[name]);
}

/** The next use the host gave for content `name` (NEVER unless some tier's policy reads the future). */
@inline export function useOf(name: i32): i32 {
  return keepsUses() ? unchecked(useOfName[name]) : NEVER;
}

export function cachedIn(tier: i32): i32 {
  return unchecked(cached[tier]);
}

/** Content `name` of `tier` is accessed, found resident in `hitTier` (or -1). */
@inline function access(name: i32, tier: i32, hitTier: i32): void {
  if (readsFuture(tier)) unchecked(nextUse[0] = useOfName[name]);
  policyOf(tier).onAccess(name, hitTier);
}

function leave(name: i32, tier: i32): void {
  policyOf(tier).onLeave(name, tier);
  linkOut(tier, name);
}

function enter(name: i32, tier: i32): void {
  linkIn(tier, name);
  policyOf(tier).onEnter(name, tier);
}

/**
 * Caches `hash` in `block` of `tier`, a block in use whose content is next used at `use`. Returns
 * the content's name, or -1 when another block of the tier already caches that hash.
 */
export function cacheContent(tier: i32, hash: i64, block: i32, use: i32): i32 {
  const map = unchecked(names[tier]);
  let n = block + unchecked(nameShift[tier]);
  if (!remembers(tier)) {
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
  if (remembers(tier)) unchecked(blockOfName[n] = block);
  if (keepsUses()) unchecked(useOfName[n] = use);
  unchecked(cached[tier] = cached[tier] + 1);
  access(n, tier, -1);
  if (keepsPinned(tier)) {
    enter(n, tier);
    setPinnedPage(n, true);
  }
  return n;
}

/** A request uses cached content `name` of `tier`, next used at `use`; `wasFree`: no request did. */
export function useContent(name: i32, tier: i32, use: i32, wasFree: bool): void {
  if (keepsUses()) unchecked(useOfName[name] = use);
  // A policy that holds only free blocks hears of the hit once the page has left (it comes back
  // at release): the same outcome as before it leaves, without lru moving a page about to go.
  const pinKeeping = keepsPinned(tier);
  if (wasFree && !pinKeeping) leave(name, tier);
  access(name, tier, isIn(tier, name) ? tier : -1);
  if (wasFree && pinKeeping) setPinnedPage(name, true);
}

/**
 * Content `name` of `tier`, which a request passed without taking, is next used at `use`: a
 * policy reading the future re-ranks it as a hit would, any other hears nothing.
 */
export function renewUse(name: i32, tier: i32, use: i32): void {
  if (!keepsUses() || unchecked(useOfName[name]) == use) return;
  unchecked(useOfName[name] = use);
  if (!readsFuture(tier)) return;
  // As `useContent` and `releaseContent` would have it, the page taken and given back at once.
  const held = isIn(tier, name) && !keepsPinned(tier);
  if (held) leave(name, tier);
  access(name, tier, isIn(tier, name) ? tier : -1);
  if (held) enter(name, tier);
}

/** The last request using content `name` of `tier` released it. */
export function releaseContent(name: i32, tier: i32): void {
  if (keepsPinned(tier)) setPinnedPage(name, false);
  else enter(name, tier);
}

/** The hash of the content `evictContent` last dropped, and its next use (the pool offloads it to the tier below). */
export let evictedHash: i64 = -1;
export let evictedUse: i32 = NEVER;

/**
 * Evicts the policy's victim among the tier's free cached blocks (at least one must exist) and
 * returns its block, now uncached. A policy that finds none, or names a block in use, is a bug:
 * the engine aborts.
 */

export function evictContent(tier: i32): i32 {
  const policy = policyOf(tier);
  const n = policy.victim(tier, -1);
  if (n < 0 || !isIn(tier, n) || isPinnedPage(n)) abort(`block pool: the eviction policy gave ${n}, not a free cached block of tier ${tier}`);
  const block = blockOf(tier, n);
  evictedHash = unchecked(hashOfName[n]);
  evictedUse = keepsUses() ? unchecked(useOfName[n]) : NEVER;
  leave(n, tier);
  policy.onEvict(n, tier);
  unchecked(cached[tier] = cached[tier] - 1);
  if (!remembers(tier)) {
    // The map holds a cached name's hash under that name (one block per hash and tier): no need to read the value.
    unchecked(names[tier]).delete(unchecked(hashOfName[n]));
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
    const pinKeeping = keepsPinned(t);
    for (let n = start; n < start + unchecked(namesPerBlock[t]) * unchecked(blocksIn[t]); n++) {
      const b = blockOf(t, n);
      const hash = unchecked(hashOfName[n]);
      if (hash >= 0 && unchecked(names[t]).get(hash) != n) return PoolInvariant.hashMap;
      if (b < 0) {
        if (isIn(t, n)) return PoolInvariant.eviction;
        continue;
      }
      if (unchecked(nameOfBlock[b]) != n || hash < 0) return PoolInvariant.hashMap;
      const inUse = unchecked(refCount[b]) > 0;
      const shouldHold = pinKeeping || !inUse;
      // A policy that does not keep pinned pages never holds one: pinning, allowed for another tier's, never reaches it.
      if (isIn(t, n) != shouldHold || isPinnedPage(n) != (pinKeeping && inUse)) return PoolInvariant.eviction;
      if (shouldHold) held++;
    }
    if (held != unchecked(tierCount[t])) return PoolInvariant.eviction;
  }
  return PoolInvariant.ok;
}
