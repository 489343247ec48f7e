import { ScoredPolicy, FIND_HEAP, findVictim } from "./scored";
import { numPages } from "../hierarchy/state";
import { AccessCounts } from "./access-counts";

/**
 * Frequency first, recency second: score = freq × 10,000 + last access step. kv-hierarchy-lab's
 * `HeavyHitterPolicy`, in the spirit of H2O's heavy hitters (Zhang et al., NeurIPS 2023). The score
 * changes only when the page itself is accessed, so a heap gives the victim in O(log n).
 */
export class HeavyHitterPolicy extends ScoredPolicy {
  accesses: AccessCounts;

  constructor() {
    super(FIND_HEAP, FIND_HEAP);
    this.accesses = new AccessCounts(numPages);
  }

  victim(tier: i32, exclude: i32): i32 {
    return findVictim<HeavyHitterPolicy>(this, tier, exclude);
  }

  score(page: i32): f64 {
    return <f64>this.accesses.count(page) * 10000.0 + <f64>this.accesses.last(page);
  }

  onAccess(page: i32, hitTier: i32): void {
    this.accesses.record(page); // both rise: the heap catches up lazily
  }
}
