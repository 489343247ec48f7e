import { ScoredPolicy, FIND_HEAP } from "./scored";
import { numPages, step } from "../hierarchy/state";
import { filledI32 } from "../util/arrays";

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
  inWindow: StaticArray<i32>;
  last: StaticArray<i32>;

  constructor(params: StaticArray<f64>) {
    super(FIND_HEAP, FIND_HEAP);
    this.window = new StaticArray<i32>(max(1, <i32>params[0]));
    this.inWindow = new StaticArray<i32>(numPages);
    this.last = filledI32(numPages, -1);
  }

  score(page: i32): f64 {
    return <f64>unchecked(this.inWindow[page]) * 1000000.0 + <f64>unchecked(this.last[page]);
  }

  onAccess(page: i32, hitTier: i32): void {
    const size = this.window.length;
    if (this.windowLength == size) {
      const dropped = unchecked(this.window[this.windowStart]);
      unchecked(this.window[this.windowStart] = page);
      this.windowStart = this.windowStart + 1 == size ? 0 : this.windowStart + 1;
      unchecked(this.inWindow[dropped] = this.inWindow[dropped] - 1);
      if (dropped != page) this.rescore(dropped);
    } else {
      const end = this.windowStart + this.windowLength;
      unchecked(this.window[end < size ? end : end - size] = page);
      this.windowLength++;
    }
    unchecked(this.inWindow[page] = this.inWindow[page] + 1);
    unchecked(this.last[page] = step); // the page's score rises: the heap catches up lazily
  }
}
