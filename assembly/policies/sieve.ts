import { Policy } from "./policy";
import { PolicyEntry, NoParams } from "./entry";
import { numPages, numTiers } from "../hierarchy/state";
import { filledI32 } from "../util/arrays";
import { headOf, nextIn, tierCount, isIn, evictable } from "../hierarchy/residency";

export function sieve(): PolicyEntry {
  return new PolicyEntry("sieve", "FIFO with visited bits and a moving hand", "Zhang et al., SIEVE, NSDI 2024")
    .kvsimOnly()
    .evictsBlocks()
    .victimSearch("FIFO list and hand per tier, amortised O(1)")
    .creates<NoParams>((params: usize): Policy => new SievePolicy());
}

/**
 * SIEVE (Zhang et al., NSDI 2024): a FIFO queue with one visited bit per page and a hand that
 * sweeps from the oldest page toward the newest, clearing visited bits and evicting the first
 * unvisited page; the hand stays where it stopped. Each tier runs its own sieve over its
 * insertion order; a page arriving in a tier starts unvisited. Amortised O(1). The hand passes
 * over a page that may not be evicted (the engine's `exclude`, a block pool's block in use)
 * without clearing its bit.
 */
export class SievePolicy extends Policy {
  visited: StaticArray<u8>;
  hand: StaticArray<i32>;

  constructor() {
    super();
    this.visited = new StaticArray<u8>(numPages);
    this.hand = filledI32(numTiers, -1);
  }

  onAccess(page: i32, hitTier: i32): void {
    if (hitTier == 0) unchecked(this.visited[page] = 1);
  }

  onEnter(page: i32, tier: i32): void {
    unchecked(this.visited[page] = 0);
  }

  onLeave(page: i32, tier: i32): void {
    if (unchecked(this.hand[tier]) == page) unchecked(this.hand[tier] = nextIn(tier, page));
  }

  /** A page in use keeps its place and its visited bit; the hand passes over it. */
  keepsPinnedPages(): bool {
    return true;
  }

  victim(tier: i32, exclude: i32): i32 {
    const others = unchecked(tierCount[tier]) - (exclude >= 0 && isIn(tier, exclude) ? 1 : 0);
    if (others <= 0) return -1;
    let page = unchecked(this.hand[tier]);
    // Ends: some page is evictable (the engine's `exclude` is one page, checked above; the block
    // pool asks only when a free cached block exists), and the hand clears each bit it passes.
    while (true) {
      if (page < 0) page = headOf(tier);
      if (evictable(page, exclude)) {
        if (unchecked(this.visited[page]) == 0) {
          unchecked(this.hand[tier] = page);
          return page;
        }
        unchecked(this.visited[page] = 0);
      }
      page = nextIn(tier, page);
    }
    return -1;
  }
}
