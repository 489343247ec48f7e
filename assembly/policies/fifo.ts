import { ReplayLoop } from "../abi/hierarchy";
import { Policy, PolicyHints } from "./policy";
import { PolicyEntry, NoParams } from "./entry";
import { ScoredPolicy, Find, findVictim } from "./scored";

export function fifo(): PolicyEntry {
  return new PolicyEntry("fifo", "first in, first out per tier", "libCacheSim FIFO")
    .evictsBlocks()
    .victimSearch("insertion-ordered list per tier, O(1)")
    .creates<NoParams>((params: usize): Policy => new FifoPolicy());
}

/**
 * First in, first out: evict the page that entered the tier earliest. The baseline of every
 * cache study (libCacheSim `FIFO.c`); each tier's insertion order is the queue, so O(1).
 */
export class FifoPolicy extends ScoredPolicy {
  constructor() {
    super({ index: Find.list });
  }

  hints(): PolicyHints {
    const hints = super.hints();
    hints.replayLoop = ReplayLoop.insertionQueue;
    return hints;
  }

  victim(tier: i32, exclude: i32): i32 {
    return findVictim<FifoPolicy>(this, tier, exclude);
  }

  /** The order is the one pages entered in: a block in use keeps its place (the search passes it). */
  keepsPinnedPages(): bool {
    return true;
  }

  score(page: i32): f64 {
    return 0;
  }
}
