import { ScoredPolicy, FIND_HEAP, findVictim } from "./scored";
import { numPages } from "../hierarchy/state";
import { AccessCounts } from "./access-counts";

/**
 * Recency within a sliding window of the last `window_size` accesses: score = occurrences in the
 * window × 1,000,000 + last access step. kv-hierarchy-lab's `WindowedRecencyPolicy`. Each access
 * changes at most two pages' scores (the one entering and the one falling out of the window), so
 * a heap keeps the victim search O(log n).
 */
export class WindowedRecencyPolicy extends ScoredPolicy {
  window: StaticArray<i32>;
  windowStart: i32 = 0;
  windowLength: i32 = 0;
  inWindow: AccessCounts; // the count is occurrences in the window

  constructor(params: StaticArray<f64>) {
    super(FIND_HEAP, FIND_HEAP);
    this.window = new StaticArray<i32>(max(1, <i32>params[0]));
    this.inWindow = new AccessCounts(numPages);
  }

  lookaheadArray(): StaticArray<i32> | null {
    return this.inWindow.words;
  }

  lookaheadShift(): i32 {
    return this.inWindow.byteShift();
  }

  victim(tier: i32, exclude: i32): i32 {
    return findVictim<WindowedRecencyPolicy>(this, tier, exclude);
  }

  score(page: i32): f64 {
    return <f64>this.inWindow.count(page) * 1000000.0 + <f64>this.inWindow.last(page);
  }

  /**
   * A page enters a heap keyed by its last access step alone, at or below its score. Steps grow
   * with time, so entries arrive in order and append to the heap's sorted run, where a key that
   * counted the page's window occurrences would sort after most later entries; and when the page
   * later falls out of the window, its entry is already at or below the lower score, so nothing
   * is pushed. A page still in the window is re-keyed only if it surfaces at the top.
   */
  entryKey(page: i32): f64 {
    return <f64>this.inWindow.last(page);
  }

  onAccess(page: i32, hitTier: i32): void {
    const size = this.window.length;
    if (this.windowLength == size) {
      const dropped = unchecked(this.window[this.windowStart]);
      unchecked(this.window[this.windowStart] = page);
      this.windowStart = this.windowStart + 1 == size ? 0 : this.windowStart + 1;
      this.inWindow.uncount(dropped);
      if (dropped != page) this.rescore(dropped);
    } else {
      const end = this.windowStart + this.windowLength;
      unchecked(this.window[end < size ? end : end - size] = page);
      this.windowLength++;
    }
    this.inWindow.record(page); // the page's score rises: the heap catches up lazily
  }
}
