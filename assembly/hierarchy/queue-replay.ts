import { numTiers, sizeOf, trace, setStep, commonPageSize } from "./state";
import { firstTier, headOf, linkIn, linkOut, moveToTail, fits } from "./residency";
import { countAccess, countMiss, countEviction } from "./metrics";
import { chargeHit, chargePromotion, chargeDemotion, chargeDrop } from "./charges";
import { fail } from "./errors";
import { LOOKAHEAD, fetchRecord } from "./lookahead";
import { EngineError } from "../abi/hierarchy";

/**
 * The replay for queue policies (`PolicyHints.replayLoop`): lru, fifo, and windowed_recency when it
 * evicts as LRU, in the kvsim profile. Their victim is always the head of the tier's order and
 * their hooks do nothing but move a tier-0 hit to the tail, so this loop makes exactly the
 * general loop's moves (engine.ts: leave the source tier, make room in tier 0 by demoting heads
 * down the cascade, join tier 0) and charges them through the same functions (charges.ts), without
 * a hook call, a prefetch or a pending-page check. The two give identical metrics and events
 * (tests/engine/queue-replay.test.ts); this one is about 1.4× faster on the bench trace (commit
 * b783c91), where each access costs tens of nanoseconds and every call in it shows.
 */

/** Evicts heads until `page` fits in `tier`. Returns false (and records an error) if it cannot. */
function makeRoom(tier: i32, page: i32): bool {
  const bytes = <i64>sizeOf(page);
  while (!fits(tier, bytes)) {
    const victim = headOf(tier);
    if (victim < 0) {
      fail(EngineError.noVictim, page, tier);
      return false;
    }
    linkOut(tier, victim);
    countEviction(tier);
    if (tier == numTiers - 1) {
      chargeDrop(tier, victim);
      continue;
    }
    if (!makeRoom(tier + 1, victim)) return false;
    linkIn(tier + 1, victim);
    chargeDemotion(tier, victim);
  }
  return true;
}

/**
 * Replays trace[from, to) for a queue policy; `recency`: a tier-0 hit moves the page to its tier's
 * tail (LRU), else nothing (FIFO). Returns the number of accesses handled.
 */
export function replayQueues(from: i32, to: i32, recency: bool): i32 {
  const lastAhead = to - LOOKAHEAD;
  const commonSize = commonPageSize;
  for (let s = from; s < to; s++) {
    const page = unchecked(trace[s]);
    if (s < lastAhead) fetchRecord(unchecked(trace[s + LOOKAHEAD]), commonSize);
    setStep(s);
    const tier = firstTier(page);
    countAccess();
    if (tier == 0) {
      if (recency) moveToTail(0, page);
      chargeHit();
      continue;
    }
    countMiss(tier);
    if (tier > 0) linkOut(tier, page);
    if (!makeRoom(0, page)) return s - from;
    linkIn(0, page);
    chargePromotion(page, tier, false);
  }
  return to - from;
}
