import { Policy, PolicyHints } from "./policy";
import { PolicyEntry, NoParams } from "./entry";
import { profile, PROFILE_KHL, numPages, pages, PageRecord, tierPageLimits } from "../hierarchy/state";
import { headOf, nextIn, tierCount } from "../hierarchy/residency";
import { DenseSets } from "../util/dense-sets";
import { below } from "../util/rng";

export function random(): PolicyEntry {
  return new PolicyEntry("random", "uniformly random victim from the seeded generator", "libCacheSim Random")
    .evictsBlocks()
    .victimSearch("dense member array per tier, O(1)")
    .creates<NoParams>((params: usize): Policy => new RandomPolicy());
}

/**
 * Uniformly random victim, drawn from the run's seeded generator: the no-information baseline
 * (libCacheSim `Random.c`). O(1) over a dense member array; the khl profile walks the tier order
 * to the drawn index instead, so it stays valid when a page is resident twice.
 */
export class RandomPolicy extends Policy {
  sets: DenseSets<PageRecord> | null = null;

  constructor() {
    super();
    // The tier order goes unwalked (and unkept) then, so the page records' link slots hold set positions.
    if (profile != PROFILE_KHL) this.sets = new DenseSets<PageRecord>(tierPageLimits(), numPages, pages);
  }

  /** The khl profile walks the tier order to the drawn index; the kvsim one keeps a member array. */
  hints(): PolicyHints {
    return { walksTierOrder: this.sets == null };
  }

  onEnter(page: i32, tier: i32): void {
    if (this.sets) changetype<DenseSets<PageRecord>>(this.sets).add(tier, page);
  }

  onLeave(page: i32, tier: i32): void {
    if (this.sets) changetype<DenseSets<PageRecord>>(this.sets).remove(tier, page);
  }

  victim(tier: i32, exclude: i32): i32 {
    const n = unchecked(tierCount[tier]);
    if (n == 0) return -1;
    const index = below(n);
    if (this.sets) {
      const sets = changetype<DenseSets<PageRecord>>(this.sets);
      const page = sets.at(tier, index);
      if (page != exclude) return page;
      return n > 1 ? sets.at(tier, index + 1 < n ? index + 1 : 0) : -1;
    }
    let page = headOf(tier);
    for (let i = 0; i < index; i++) page = nextIn(tier, page);
    return page;
  }
}
