import { Policy, PolicyHints } from "./policy";
import { PolicyEntry, NoParams } from "./entry";
import { ScoredPolicy, Find, findVictim } from "./scored";
import { step, nextUse, firstUse, profile, PROFILE_KHL } from "../hierarchy/state";

export function belady(): PolicyEntry {
  return new PolicyEntry("belady", "offline optimum: evict the page reused farthest in the future", "Belady 1966 (MIN)")
    .offline()
    .evictsBlocks()
    .victimSearch("lazy max-heap on next use per tier, O(log n)")
    .creates<NoParams>((params: usize): Policy => new BeladyPolicy());
}

/**
 * Belady's MIN (Belady, 1966): evict the page whose next use lies farthest in the future. An
 * offline optimum for a single tier with equal page sizes and no prefetch; needs the whole trace
 * (next-use steps are computed once, before the replay). Heap keyed by −next use: O(log n).
 */
export class BeladyPolicy extends ScoredPolicy {
  upcoming: StaticArray<i32>;

  constructor() {
    super({ index: Find.heap, runs: 0 }); // no sorted run: the key, minus the next use, does not grow with time
    this.upcoming = StaticArray.slice<i32>(firstUse);
  }

  hints(): PolicyHints {
    const hints = super.hints();
    hints.lookahead = this.upcoming;
    return hints;
  }

  victim(tier: i32, exclude: i32): i32 {
    return findVictim<BeladyPolicy>(this, tier, exclude);
  }

  score(page: i32): f64 {
    return -<f64>unchecked(this.upcoming[page]);
  }

  onAccess(page: i32, hitTier: i32): void {
    unchecked(this.upcoming[page] = nextUse[step]);
    // A miss from a lower tier: in the kvsim profile the page leaves that tier before any victim
    // is sought and enters tier 0 with its new key, so a lowered entry there would only go stale.
    if (hitTier > 0 && profile != PROFILE_KHL) return;
    this.rescore(page);
  }
}
