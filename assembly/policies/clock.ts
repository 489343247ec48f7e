import { Policy } from "./policy";
import { PolicyEntry } from "./entry";
import { numPages } from "../hierarchy/state";
import { headOf, moveToTail, tierCount, isIn, evictable } from "../hierarchy/residency";

@unmanaged class ClockParams {
  bits: f64;
}

export function clock(): PolicyEntry {
  return new PolicyEntry("clock", "CLOCK (second chance): FIFO that reinserts a page hit since it entered, spending one unit of its counter",
    "Corbató 1968 (Multics paging); libCacheSim Clock (FIFO-Reinsertion, n-bit-counter)")
    .integer("bits", 1, "bits of each page's hit counter: a page goes round at most 2^bits − 1 times (libCacheSim's n-bit-counter)", 1, 8)
    .kvsimOnly()
    .evictsBlocks()
    .victimSearch("insertion list per tier, hits sent round to the tail, amortised O(1)")
    .creates<ClockParams>((params: usize): Policy => new ClockPolicy(changetype<ClockParams>(params)));
}

/**
 * CLOCK (Corbató, 1968), as libCacheSim's `Clock.c` defines it: each page has an n-bit hit
 * counter, 0 when it enters, raised by each hit up to 2^n − 1. To evict, the oldest page of the
 * tier is examined: with a count above 0 it loses one unit and moves to the newest end (its second
 * chance), else it is the victim. Each tier runs its own clock over its insertion order; a hit is
 * an access found in tier 0, and a page arriving in any tier starts at 0 (libCacheSim's insert).
 * A page that may not be evicted (`exclude`, the accessed page during its prefetches; a block
 * pool's block in use) goes round with its count unchanged: libCacheSim has no such page. Each pass either evicts or spends
 * a unit, so an eviction is amortised O(1).
 */
export class ClockPolicy extends Policy {
  maxCount: u8;
  count: StaticArray<u8>;

  constructor(params: ClockParams) {
    super();
    const bits = <i32>params.bits;
    const most: i32 = (1 << bits) - 1;
    this.maxCount = <u8>most;
    this.count = new StaticArray<u8>(numPages);
  }

  onAccess(page: i32, hitTier: i32): void {
    if (hitTier == 0 && unchecked(this.count[page]) < this.maxCount) unchecked(this.count[page] = this.count[page] + 1);
  }

  onEnter(page: i32, tier: i32): void {
    unchecked(this.count[page] = 0);
  }

  /** A page in use keeps its place and its count, going round like `exclude`. */
  keepsPinnedPages(): bool {
    return true;
  }

  victim(tier: i32, exclude: i32): i32 {
    const others = unchecked(tierCount[tier]) - (exclude >= 0 && isIn(tier, exclude) ? 1 : 0);
    if (others <= 0) return -1;
    // Ends: some page is evictable (the engine's `exclude` is one page, checked above; the block
    // pool asks only when a free cached block exists), and each round spends a unit of its count.
    while (true) {
      const page = headOf(tier);
      const free = evictable(page, exclude);
      if (free && unchecked(this.count[page]) == 0) return page;
      if (free) unchecked(this.count[page] = this.count[page] - 1);
      moveToTail(tier, page);
    }
    return -1;
  }
}
