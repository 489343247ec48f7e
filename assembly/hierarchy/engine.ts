import {
  profile, PROFILE_KHL, numPages, numTiers, sizeOf, decodePenalty, tierRead, tierWrite,
  tierBandwidth, tierCapacity, trace, setStep, setPinned, pinned, pages, RECORD, commonPageSize,
} from "./state";
import { firstTier, isIn, linkIn, linkOut, fits, isPending, setPending, keepOrder } from "./residency";
import {
  countAccess, countHit, countMiss, addLatency, countEviction, countDrop, countTransfer,
  countPrefetchRequest, countUsefulPrefetch, countWastedPrefetches, recordEvent,
  EVENT_PROMOTE, EVENT_PREFETCH, EVENT_DEMOTE, EVENT_EVICT,
} from "./metrics";
import { Policy } from "../policies/policy";

/** Set when the replay had to stop; read by the host after `run`. */
export let errorCode: i32 = 0;
export let errorPage: i32 = -1;
export let errorTier: i32 = -1;
export const ERROR_NO_VICTIM: i32 = 1;

let policy: Policy = changetype<Policy>(0);
let prefetchEnabled = false;
let maxPrefetch: i32 = 0;
let candidates = new StaticArray<i32>(0);
let pendingCount: i64 = 0;             // pages placed by prefetch, not yet used or evicted

export function initEngine(p: Policy, prefetch: bool, maxCandidates: i32): void {
  policy = p;
  keepOrder(p.walksTierOrder());
  p.setPrefetching(prefetch && maxCandidates > 0);
  prefetchEnabled = prefetch;
  maxPrefetch = maxCandidates;
  candidates = new StaticArray<i32>(max(16, maxCandidates));
  pendingCount = 0;
  errorCode = 0;
  errorPage = -1;
  errorTier = -1;
}

/**
 * Serial cost of moving a page from `src` to `dst`: (read(src) + write(dst)) + size / min(bw) +
 * decode penalty, evaluated in kv-hierarchy-lab's association order so doubles match bit for bit.
 */
@inline function transferCost(src: i32, dst: i32, page: i32): f64 {
  const bw = min(unchecked(tierBandwidth[src]), unchecked(tierBandwidth[dst]));
  const xfer = <f64>sizeOf(page) / max(bw, 1.0);
  return ((unchecked(tierRead[src]) + unchecked(tierWrite[dst])) + xfer) + decodePenalty;
}

function addTo(tier: i32, page: i32): void {
  // kv-hierarchy-lab's add is a no-op for a page already resident (reachable only via Q1).
  if (isIn(tier, page)) return;
  linkIn(tier, page);
  policy.onEnter(page, tier);
}

function removeFrom(tier: i32, page: i32): void {
  policy.onLeave(page, tier);
  linkOut(tier, page);
}

function fail(code: i32, page: i32, tier: i32): void {
  if (errorCode == 0) {
    errorCode = code;
    errorPage = page;
    errorTier = tier;
  }
}

/** Evicts until `page` fits in `tier`. Returns false (and records an error) if it cannot. */
function makeRoom(tier: i32, page: i32): bool {
  const bytes = <i64>sizeOf(page);
  while (!fits(tier, bytes)) {
    const victim = policy.victim(tier, pinned);
    if (victim < 0) {
      fail(ERROR_NO_VICTIM, page, tier);
      return false;
    }
    if (!evict(tier, victim)) return false;
  }
  return true;
}

/** Takes `victim` out of `tier`: demoted one tier down (cascading), or dropped from the last. */
function evict(tier: i32, victim: i32): bool {
  removeFrom(tier, victim);
  countEviction(tier);
  policy.onEvict(victim, tier);
  if (tier == 0 && isPending(victim)) {
    setPending(victim, false);
    pendingCount--;
    countWastedPrefetches(1);
  }
  const bytes = <f64>sizeOf(victim);
  if (tier == numTiers - 1) {
    countDrop(bytes);
    recordEvent(EVENT_EVICT, victim, tier, -1, 0.0, bytes);
    return true;
  }
  const below = tier + 1;
  if (!makeRoom(below, victim)) return false;
  addTo(below, victim);
  const latency = transferCost(tier, below, victim);
  addLatency(latency);
  countTransfer(tier, below, bytes, false); // demotions are demand traffic, even under prefetch (Q5)
  recordEvent(EVENT_DEMOTE, victim, tier, below, latency, bytes);
  return true;
}

/** khl: a cold page first lands in the last tier (no cost), then is promoted from there. */
function coldInsertKhl(page: i32): void {
  const last = numTiers - 1;
  if (isIn(last, page)) return;
  if (!makeRoom(last, page)) return;
  addTo(last, page);
  policy.onInsert(page, last);
}

/**
 * Brings a page into tier 0 from `src` (-1: cold, charged as a read from the last tier, which
 * stands for wherever KV lives when not cached). The khl profile makes room before leaving the
 * source tier (quirk Q1b); kvsim leaves the source first, so a page is never resident twice.
 */
function placeInTier0(page: i32, src: i32, prefetch: bool): void {
  if (isIn(0, page)) return;
  if (profile == PROFILE_KHL) {
    if (!makeRoom(0, page)) return;
    if (src >= 0 && isIn(src, page)) removeFrom(src, page);
  } else {
    if (src >= 0) removeFrom(src, page);
    if (!makeRoom(0, page)) return;
  }
  addTo(0, page);
  const costSrc = src >= 0 ? src : numTiers - 1;
  const latency = transferCost(costSrc, 0, page);
  addLatency(latency);
  countTransfer(src, 0, <f64>sizeOf(page), prefetch);
  policy.onInsert(page, 0);
  recordEvent(prefetch ? EVENT_PREFETCH : EVENT_PROMOTE, page, src, 0, latency, <f64>sizeOf(page));
}

function runPrefetches(page: i32): void {
  const n = min(policy.prefetch(page, candidates), maxPrefetch);
  const khl = profile == PROFILE_KHL;
  for (let i = 0; i < n; i++) {
    const c = unchecked(candidates[i]);
    if (c < 0 || c >= numPages) continue;
    let src = firstTier(c);
    if (src == 0) continue;
    if (khl) {
      if (src < 0) {
        coldInsertKhl(c);
        src = firstTier(c);
        if (src < 0) continue;
      }
      if (isPending(c)) continue;
    } else {
      if (isPending(c)) continue;
      // The accessed page stays in tier 0: skip a candidate that could only fit by evicting it.
      if (<i64>sizeOf(c) > unchecked(tierCapacity[0]) - <i64>sizeOf(page)) continue;
    }
    setPending(c, true);
    pendingCount++;
    countPrefetchRequest();
    placeInTier0(c, src, true);
    if (errorCode != 0) return;
  }
}

/**
 * How many accesses ahead the replay fetches a page's record (and the policy's per-page state).
 * Records of a large page space miss the cache, and WebAssembly has no prefetch instruction: an
 * early access lets the miss overlap the work of the accesses in between (commit aa0cbfc has the
 * side-by-side figures).
 */
const LOOKAHEAD: i32 = 16;

/**
 * Fetches the page's record early. A load that misses holds up retirement until its line arrives,
 * where a store that misses waits in the store buffer while later work retires; so when every page
 * has one size, the record is fetched by storing that size into it, otherwise loaded (the value
 * dropped: a load may trap, so no optimizer removes it).
 */
@inline function fetchRecord(page: i32, commonSize: i32): void {
  if (commonSize > 0) unchecked(pages[page * RECORD] = commonSize);
  else unchecked(pages[page * RECORD]);
}

/** Replays trace[from, to); returns the number of accesses handled. */
export function replay(from: i32, to: i32): i32 {
  const khl = profile == PROFILE_KHL;
  const lastAhead = to - LOOKAHEAD;
  const commonSize = commonPageSize;
  const policyArray = policy.lookaheadArray();
  const policyBase = changetype<usize>(policyArray);
  const policyShift = policy.lookaheadShift();
  for (let s = from; s < to; s++) {
    const page = unchecked(trace[s]);
    if (s < lastAhead) {
      const later = unchecked(trace[s + LOOKAHEAD]);
      fetchRecord(later, commonSize);
      if (policyArray) load<i32>(policyBase + (<usize>later << policyShift));
    }
    setStep(s);
    const tier = firstTier(page);
    policy.onAccess(page, tier);
    countAccess();
    if (tier == 0) {
      countHit(0);
      addLatency(unchecked(tierRead[0]) + decodePenalty);
    } else {
      countMiss(tier);
      if (tier < 0 && khl) {
        coldInsertKhl(page);
        placeInTier0(page, firstTier(page), false);
      } else {
        placeInTier0(page, tier, false);
      }
    }
    if (isPending(page)) {
      setPending(page, false);
      pendingCount--;
      countUsefulPrefetch();
    }
    if (prefetchEnabled) {
      if (!khl) setPinned(page);
      runPrefetches(page);
      setPinned(-1);
    }
    if (errorCode != 0) return s - from;
  }
  return to - from;
}

/** Ends the run: prefetched pages never used count as wasted. */
export function finish(): void {
  countWastedPrefetches(pendingCount);
  pendingCount = 0;
}

/** Largest page that must fit in every tier (checked up front by the host, re-checked here). */
export function firstOversizedTier(): i32 {
  let largest: i64 = 0;
  for (let p = 0; p < numPages; p++) largest = max(largest, <i64>sizeOf(p));
  for (let t = 0; t < numTiers; t++) if (largest > unchecked(tierCapacity[t])) return t;
  return -1;
}

