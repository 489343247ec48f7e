import { ReplayLoop } from "../abi/hierarchy";
import { ScoredPolicy, FIND_LIST, findVictim } from "./scored";

/**
 * First in, first out: evict the page that entered the tier earliest. The baseline of every
 * cache study (libCacheSim `FIFO.c`); each tier's insertion order is the queue, so O(1).
 */
export class FifoPolicy extends ScoredPolicy {
  constructor() {
    super(FIND_LIST, FIND_LIST);
  }

  queueOrder(): i32 {
    return ReplayLoop.insertionQueue;
  }

  victim(tier: i32, exclude: i32): i32 {
    return findVictim<FifoPolicy>(this, tier, exclude);
  }

  score(page: i32): f64 {
    return 0;
  }
}
