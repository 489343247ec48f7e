import { step } from "../hierarchy/state";
import { PolicyHints } from "./policy";

/**
 * Per-page access count and last access step, the state of kv-hierarchy-lab's frequency/recency
 * scores, kept side by side in one record per page: a score reads both, and as two arrays over a
 * million pages each read was a separate cache miss. A policy whose score reads one more per-page value (regret_aware's
 * regret) asks for an 8-byte payload in the same 16-byte record, for the same reason: a sampled
 * eviction scores pages at random, and each separate array is one more miss per draw. (It costs
 * policies that update the record on every access: cost_aware's size term moved here was slower.)
 * Policies with exact lanes keep the pair inside their
 * lanes' entries instead (`within`), for the same reason again.
 */
export class AccessCounts {
  words: StaticArray<i32>; // per page: [count, last step] (+ [payload, payload] when wide), or another's records; last is -1 before the first access
  shift: i32;              // log2 of the words per page in `words`
  base: usize;             // address of page 0's count

  /** `withPayload`: give each page an 8-byte payload beside its count and step. */
  constructor(pages: i32, withPayload: bool = false, within: StaticArray<i32> | null = null, shift: i32 = 0, offset: i32 = 0) {
    if (!within) {
      shift = withPayload ? 2 : 1;
      within = new StaticArray<i32>(pages << shift);
    }
    const words = changetype<StaticArray<i32>>(within);
    for (let p = 0; p < pages; p++) unchecked(words[(p << shift) + offset + 1] = -1);
    this.words = words;
    this.shift = shift;
    this.base = changetype<usize>(words) + (<usize>offset << 2);
  }

  /**
   * Counts kept in two spare words of someone else's per-page records (`words`, 2^shift words
   * per page, the count at word `offset`): an exact lane's entries, so that a score and the lane
   * state of its page share a cache line.
   */
  static within(pages: i32, words: StaticArray<i32>, shift: i32, offset: i32): AccessCounts {
    return new AccessCounts(pages, false, words, shift, offset);
  }

  /** log2 of the bytes per page (for `Policy.lookaheadShift`). */
  @inline byteShift(): i32 {
    return this.shift + 2;
  }

  @inline private at(page: i32): usize {
    return this.base + (<usize>(page << this.shift) << 2);
  }

  @inline count(page: i32): i32 {
    return load<i32>(this.at(page));
  }

  @inline last(page: i32): i32 {
    return load<i32>(this.at(page), 4);
  }

  /** Counts an access to the page at the current step. */
  @inline record(page: i32): void {
    const at = this.at(page);
    store<i32>(at, load<i32>(at) + 1);
    store<i32>(at, step, 4);
  }

  /** Takes one access off the page's count (the last step stays). */
  @inline uncount(page: i32): void {
    const at = this.at(page);
    store<i32>(at, load<i32>(at) - 1);
  }

  /** The page's payload as a double (only when built `withPayload`). */
  @inline payload(page: i32): f64 {
    return load<f64>(this.at(page), 8);
  }

  @inline setPayload(page: i32, value: f64): void {
    store<f64>(this.at(page), value, 8);
  }
}

/** `hints` with the counts as the per-page array the replay loads ahead (they are read on every access). */
export function countsAhead(hints: PolicyHints, counts: AccessCounts): PolicyHints {
  hints.lookahead = counts.words;
  hints.lookaheadShift = counts.byteShift();
  return hints;
}
