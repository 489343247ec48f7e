import { Policy, PolicyHints } from "./policy";
import { PolicyEntry, NoParams } from "./entry";
import { ScoredPolicy, Find, findVictim } from "./scored";
import { numPages } from "../hierarchy/state";
import { AccessCounts, countsAhead } from "./access-counts";

/** Exact lanes: counts 0 .. LANES - 1 each have one (see the class doc). */
const LANES: i32 = 32;

export function heavyHitter(): PolicyEntry {
  return new PolicyEntry("heavy_hitter", "access frequency, then recency (freq × 10⁴ + last)", "kv-hierarchy-lab HeavyHitterPolicy; H2O (Zhang et al. 2023)")
    .victimSearch("exact lanes for counts 0-31, O(1); lazy min-heap for the rest, O(log n)")
    .creates<NoParams>((params: usize): Policy => new HeavyHitterPolicy());
}

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
    super({ index: Find.heap, lanes: LANES });
    this.accesses = this.countsBesideLanes();
  }

  hints(): PolicyHints {
    return countsAhead(super.hints(), this.accesses);
  }

  laneOf(page: i32): i32 {
    const count = this.accesses.count(page);
    return count < LANES ? count : -1;
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
