import {
  profile, PROFILE_KHL, numPages, numTiers, sizeOf, tierCapacity, trace, setStep, setPinned, pinned,
  commonPageSize,
} from "./state";
import { firstTier, isIn, linkIn, linkOut, fits, isPending, setPending, keepOrder } from "./residency";
import {
  countAccess, countMiss, countEviction, countPrefetchRequest, countUsefulPrefetch, countWastedPrefetches,
} from "./metrics";
import { chargeHit, chargePromotion, chargeDemotion, chargeDrop } from "./charges";
import { errorCode, fail, clearError } from "./errors";
import { LOOKAHEAD, fetchRecord, policyLookahead, policyLookaheadShift, setPolicyLookahead } from "./lookahead";
import { replayQueues } from "./queue-replay";
import { Policy } from "../policies/policy";
import { EngineError, ReplayLoop } from "../abi/hierarchy";

let policy: Policy = changetype<Policy>(0);
let prefetchEnabled = false;
let maxPrefetch: i32 = 0;
let candidates = new StaticArray<i32>(0);
let pendingCount: i64 = 0;             // pages placed by prefetch, not yet used or evicted
let queueOrder: i32 = ReplayLoop.general; // the run's loop: the policy's queue order, or the general one
let queueReplayAllowed = true;
let beyondRoom = false;                // the policy may evict while the page fits (Policy.wantsRoom)

/** Test hook: false replays queue policies through the general loop, to compare the two. */
export function allowQueueReplay(allowed: bool): void {
  queueReplayAllowed = allowed;
}

/** The loop the current run replays with: the general one, or the policy's queue order. */
export function replayLoop(): i32 {
  return queueOrder;
}

export function initEngine(p: Policy, prefetch: bool, maxCandidates: i32): void {
  policy = p;
  // The khl profile's quirks (a page resident twice, hooks at its places) need the general loop.
  const hints = p.hints();
  queueOrder = profile == PROFILE_KHL || !queueReplayAllowed ? ReplayLoop.general : hints.replayLoop;
  keepOrder(hints.walksTierOrder);
  beyondRoom = hints.evictsBeyondRoom;
  setPolicyLookahead(hints.lookahead, hints.lookaheadShift);
  p.onStart(prefetch && maxCandidates > 0);
  prefetchEnabled = prefetch;
  maxPrefetch = maxCandidates;
  candidates = new StaticArray<i32>(max(16, maxCandidates));
  pendingCount = 0;
  clearError();
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

/**
 * Evicts until `page` fits in `tier` (and the policy wants no more room); for a page already
 * `resident` there, only while the policy wants room. Returns false (and records an error) if it cannot.
 */
function makeRoom(tier: i32, page: i32, resident: bool = false): bool {
  const bytes = resident ? 0 : <i64>sizeOf(page);
  while (!fits(tier, bytes) || (beyondRoom && policy.wantsRoom(page, tier))) {
    const victim = policy.victim(tier, pinned);
    if (victim < 0) {
      fail(EngineError.noVictim, page, tier);
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
  if (tier == numTiers - 1) {
    chargeDrop(tier, victim);
    return true;
  }
  if (!makeRoom(tier + 1, victim)) return false;
  addTo(tier + 1, victim);
  chargeDemotion(tier, victim);
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
  chargePromotion(page, src, prefetch);
  policy.onInsert(page, 0);
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

/** Replays trace[from, to); returns the number of accesses handled. */
export function replay(from: i32, to: i32): i32 {
  if (queueOrder != ReplayLoop.general) return replayQueues(from, to, queueOrder == ReplayLoop.recencyQueue);
  const khl = profile == PROFILE_KHL;
  const lastAhead = to - LOOKAHEAD;
  const commonSize = commonPageSize;
  const policyArray = policyLookahead;
  const policyBase = changetype<usize>(policyArray);
  const policyShift = policyLookaheadShift;
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
      chargeHit();
      // LIRS's Q may give up a page on a hit (Policy.wantsRoom).
      if (beyondRoom) makeRoom(0, page, true);
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

