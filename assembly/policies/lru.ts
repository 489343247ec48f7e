import { ReplayLoop } from "../abi/hierarchy";
import { Policy, PolicyHints } from "./policy";
import { PolicyEntry, NoParams } from "./entry";
import { ScoredPolicy, Find, findVictim } from "./scored";
import { numPages, step, profile, PROFILE_KHL } from "../hierarchy/state";
import { moveToTail } from "../hierarchy/residency";
import { filledI32 } from "../util/arrays";

export function lru(): PolicyEntry {
  return new PolicyEntry("lru", "least recently used (stamp refreshed on access and insert)", "Mattson et al. 1970; kv-hierarchy-lab LRUPolicy")
    .evictsBlocks()
    .victimSearch("recency-ordered intrusive list per tier, O(1)")
    .creates<NoParams>((params: usize): Policy => new LruPolicy());
}

/**
 * Least recently used (Mattson et al., 1970). kv-hierarchy-lab's `LRUPolicy`: a page's stamp is
 * the step of its last access or insertion (quirk Q10: prefetch placements and cold inserts
 * refresh it). The kvsim profile keeps each tier's list in recency order (touch on tier-0 hit,
 * arrivals appended), which orders pages exactly by those stamps, so the victim is the head: O(1).
 */
export class LruPolicy extends ScoredPolicy {
  last: StaticArray<i32>;

  constructor() {
    super({ index: Find.list, khl: Find.heap });
    this.last = filledI32(profile == PROFILE_KHL ? numPages : 0, -1);
  }

  hints(): PolicyHints {
    const hints = super.hints();
    if (this.find == Find.list) hints.replayLoop = ReplayLoop.recencyQueue;
    return hints;
  }

  victim(tier: i32, exclude: i32): i32 {
    return findVictim<LruPolicy>(this, tier, exclude);
  }

  score(page: i32): f64 {
    return <f64>unchecked(this.last[page]);
  }

  // In list mode the list order is the recency order; stamps only key the khl profile's heap,
  // and only rise (the heap catches up lazily).
  onAccess(page: i32, hitTier: i32): void {
    if (this.find == Find.list) {
      if (hitTier == 0) moveToTail(0, page);
    } else {
      unchecked(this.last[page] = step);
    }
  }

  onInsert(page: i32, tier: i32): void {
    if (this.find != Find.list) unchecked(this.last[page] = step);
  }
}
