import { step } from "../hierarchy/state";

/**
 * Per-page access count and last access step, the state of kv-hierarchy-lab's frequency/recency
 * scores. The two are kept side by side in one 8-byte pair: a score reads both, and as two
 * arrays over a million pages each read was a separate cache miss (the commit that added this file
 * has the side-by-side figures).
 */
export class AccessCounts {
  pairs: StaticArray<i32>; // [count, last step] per page; last is -1 before the first access

  constructor(pages: i32) {
    const pairs = new StaticArray<i32>(2 * pages);
    for (let p = 0; p < pages; p++) unchecked(pairs[2 * p + 1] = -1);
    this.pairs = pairs;
  }

  @inline count(page: i32): i32 {
    return unchecked(this.pairs[2 * page]);
  }

  @inline last(page: i32): i32 {
    return unchecked(this.pairs[2 * page + 1]);
  }

  /** Counts an access to the page at the current step. */
  @inline record(page: i32): void {
    unchecked(this.pairs[2 * page] = this.pairs[2 * page] + 1);
    unchecked(this.pairs[2 * page + 1] = step);
  }

  /** Takes one access off the page's count (the last step stays). */
  @inline uncount(page: i32): void {
    unchecked(this.pairs[2 * page] = this.pairs[2 * page] - 1);
  }
}
