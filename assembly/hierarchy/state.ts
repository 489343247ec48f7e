import { strideOf } from "../util/node-layout";
import { filledI32 } from "../util/arrays";
import { Profile } from "../abi/hierarchy";

/**
 * The engine's whole state, as module globals over struct-of-arrays. Everything is allocated once
 * per run by `setup` (after the arena is reset) and reused for every access: no allocation happens
 * inside the replay loop.
 */

/** The default profile: exclusive residency, accessed page protected from its own prefetch. */
export const PROFILE_KVSIM: i32 = Profile.kvsim;
/** kv-hierarchy-lab parity: its quirks (make room before leaving the source tier, …) kept. */
export const PROFILE_KHL: i32 = Profile.khl;

export const NO_TIER: i32 = -1;

export let profile: i32 = PROFILE_KVSIM;
export let numPages: i32 = 0;
export let numTiers: i32 = 0;
/** Index of the access being handled (the policies' notion of time). */
export let step: i32 = 0;
/**
 * Evictions from this tier on drop a page from the cache (policies forget what they counted of
 * it): the last tier of the hierarchy, where a page evicted from a tier moves down; every tier in
 * the block pool, whose tiers are separate caches.
 */
let dropTier: i32 = 0;
/** Page whose access is being handled; never a victim of that access's prefetches in kvsim. */
export let pinned: i32 = -1;

/**
 * A page's hot fields, one 16-byte record per page in `pages` so that touching a page costs one
 * cache line. flags: bits 0-7 resident-tier mask, bit 8 pending prefetch. link/back hold whichever
 * structure the policy keeps pages in: the page's next/prev in its tier's order (kvsim profile;
 * khl keeps per-tier links elsewhere, see residency.ts), its heap arrival and key bound, or its
 * set position.
 */
@unmanaged export class PageRecord {
  size: i32;
  flags: i32;
  link: i32;
  back: i32;
}
export const RECORD: i32 = strideOf<PageRecord>();
export const FLAGS: i32 = <i32>offsetof<PageRecord>("flags") >> 2;
export const PENDING_BIT: i32 = 1 << 8;
/** Bit 9: the page may not be evicted now (a block pool's block in use); see residency.ts `evictable`. */
export const PINNED_BIT: i32 = 1 << 9;
export let pageSizeInput = new StaticArray<i32>(0);
/**
 * Each page's object id as the trace names it (an oracleGeneral file's 64-bit ids), for a policy
 * that hashes ids as the system it follows does (tinylfu's sketch); filled by the host only for
 * such policies (`PolicyEntry.readsObjectIds`), else empty and a page's id is its index.
 */
export let pageObjectIdInput = new StaticArray<u64>(0);
export let pages = new StaticArray<i32>(0);
/** Decode cost of the scenario's quantization, added to every tier-0 hit and transfer (ms). */
export let decodePenalty: f64 = 0;

@inline export function sizeOf(page: i32): i32 {
  return unchecked(pages[page * RECORD]);
}

// Tiers.
export let tierCapacity = new StaticArray<i64>(0);
export let tierRead = new StaticArray<f64>(0);
export let tierWrite = new StaticArray<f64>(0);
export let tierBandwidth = new StaticArray<f64>(0);

// The trace being replayed and, when a policy needs it, the step of each access's next reuse.
export let trace = new StaticArray<i32>(0);
export let traceLength: i32 = 0;
export let nextUse = new StaticArray<i32>(0);
export let firstUse = new StaticArray<i32>(0);

@inline export function dropsOnEviction(tier: i32): bool {
  return tier >= dropTier;
}

/** Makes every tier its own cache (the block pool's): an eviction from any tier drops the page. */
export function separateTiers(): void {
  dropTier = 0;
}

export function setStep(s: i32): void {
  step = s;
}

export function setPinned(p: i32): void {
  pinned = p;
}

export function initState(count: i32, tiers: i32, prof: i32, penalty: f64): void {
  profile = prof;
  numPages = count;
  decodePenalty = penalty;
  numTiers = tiers;
  dropTier = tiers - 1;
  step = 0;
  pinned = -1;
  pageSizeInput = new StaticArray<i32>(count);
  pageObjectIdInput = new StaticArray<u64>(0);
  pages = new StaticArray<i32>(count * RECORD);
  tierCapacity = new StaticArray<i64>(tiers);
  tierRead = new StaticArray<f64>(tiers);
  tierWrite = new StaticArray<f64>(tiers);
  tierBandwidth = new StaticArray<f64>(tiers);
  nextUse = new StaticArray<i32>(0);
  firstUse = new StaticArray<i32>(0);
}

/** The size every page has, or 0 when sizes differ (then no record word is known unread). */
export let commonPageSize: i32 = 0;

/** Room for the pages' object ids (`pageObjectIdInput`), which the host then fills. */
export function allocateObjectIds(): StaticArray<u64> {
  pageObjectIdInput = new StaticArray<u64>(numPages);
  return pageObjectIdInput;
}

/** The page's object id: the host's, or the page's index when the host gave none. */
@inline export function objectIdOf(page: i32): u64 {
  return pageObjectIdInput.length == numPages ? unchecked(pageObjectIdInput[page]) : <u64>page;
}

/** Copies the host's page sizes into the page records. */
export function loadPageSizes(): void {
  commonPageSize = numPages > 0 ? unchecked(pageSizeInput[0]) : 0;
  for (let p = 0; p < numPages; p++) {
    const size = unchecked(pageSizeInput[p]);
    unchecked(pages[p * RECORD] = size);
    if (size != commonPageSize) commonPageSize = 0;
  }
}

/**
 * The most pages each tier can hold at once (its bytes over the smallest page, at most every
 * page), for sizing per-tier policy structures once page sizes and capacities are loaded.
 */
export function tierPageLimits(): StaticArray<i32> {
  let smallest: i64 = I64.MAX_VALUE;
  for (let p = 0; p < numPages; p++) smallest = min(smallest, <i64>sizeOf(p));
  const limits = new StaticArray<i32>(numTiers);
  for (let t = 0; t < numTiers; t++) {
    const fit = smallest > 0 ? unchecked(tierCapacity[t]) / smallest : <i64>numPages;
    unchecked(limits[t] = <i32>min(fit, <i64>numPages));
  }
  return limits;
}

export function setTrace(t: StaticArray<i32>, length: i32): void {
  trace = t;
  traceLength = length;
}

/** Never-reused accesses get this sentinel: later than any step. */
export const NEVER: i32 = 0x7fffffff;

/**
 * The block pool's future: the host gives each access's next use, which the pool writes to
 * nextUse[0] (step stays 0) before the policy hears of the access; no page has a known use before.
 */
export function useHostFuture(): void {
  nextUse = new StaticArray<i32>(1);
  firstUse = filledI32(numPages, NEVER);
  step = 0;
}

/** Backward pass: nextUse[s] = next step touching trace[s]; firstUse[p] = first step touching p. */
export function computeNextUse(): void {
  nextUse = new StaticArray<i32>(traceLength);
  firstUse = filledI32(numPages, NEVER);
  for (let s = traceLength - 1; s >= 0; s--) {
    const p = unchecked(trace[s]);
    unchecked(nextUse[s] = firstUse[p]);
    unchecked(firstUse[p] = s);
  }
}
