import { ScoredPolicy, FIND_HEAP, findVictim } from "./scored";
import { numPages } from "../hierarchy/state";
import { AccessCounts } from "./access-counts";

/** Exact lanes: counts 0 .. LANES - 1 each have one (see the class doc). */
const LANES: i32 = 32;

/**
 * Frequency first, recency second: score = freq × 10,000 + last access step. kv-hierarchy-lab's
 * `HeavyHitterPolicy`, in the spirit of H2O's heavy hitters (Zhang et al., NeurIPS 2023). The score
 * changes only when the page itself is accessed, so a heap gives the victim in O(log n). In the
 * kvsim profile each count below LANES has an exact lane: a page joins count c's lane at the step
 * of an access (the one that made its count c, or that brought it into the tier) or, demoted,
 * in the order the tier above let go of count c, which is its lane's order; so pages join lanes in
 * order, and a hit moves a page to the next lane's tail in O(1). Hotter pages use the heap.
 */
export class HeavyHitterPolicy extends ScoredPolicy {
  accesses!: AccessCounts; // set after super(), where the lanes it may live in are made

  constructor() {
    super(FIND_HEAP, FIND_HEAP, 0, 1, LANES);
    this.accesses = this.countsBesideLanes();
  }

  laneOf(page: i32): i32 {
    const count = this.accesses.count(page);
    return count < LANES ? count : -1;
  }

  lookaheadArray(): StaticArray<i32> | null {
    return this.accesses.words;
  }

  lookaheadShift(): i32 {
    return this.accesses.byteShift();
  }

  victim(tier: i32, exclude: i32): i32 {
    return findVictim<HeavyHitterPolicy>(this, tier, exclude);
  }

  score(page: i32): f64 {
    return <f64>this.accesses.count(page) * 10000.0 + <f64>this.accesses.last(page);
  }

  onAccess(page: i32, hitTier: i32): void {
    this.accesses.record(page); // both rise: the heap catches up lazily, a lane page moves
    // A page found below tier 0 leaves its tier before any victim is sought (kvsim; khl has no lanes).
    if (hitTier == 0) this.rescore(page);
  }
}
