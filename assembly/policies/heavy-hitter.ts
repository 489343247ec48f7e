import { ScoredPolicy, FIND_HEAP } from "./scored";
import { numPages, step } from "../hierarchy/state";
import { filledI32 } from "../util/arrays";

/**
 * Frequency first, recency second: score = freq × 10,000 + last access step. kv-hierarchy-lab's
 * `HeavyHitterPolicy`, in the spirit of H2O's heavy hitters (Zhang et al., NeurIPS 2023). The score
 * changes only when the page itself is accessed, so a heap gives the victim in O(log n).
 */
export class HeavyHitterPolicy extends ScoredPolicy {
  freq: StaticArray<i32>;
  last: StaticArray<i32>;

  constructor() {
    super(FIND_HEAP, FIND_HEAP);
    this.freq = new StaticArray<i32>(numPages);
    this.last = filledI32(numPages, -1);
  }

  score(page: i32): f64 {
    return <f64>unchecked(this.freq[page]) * 10000.0 + <f64>unchecked(this.last[page]);
  }

  onAccess(page: i32, hitTier: i32): void {
    unchecked(this.freq[page] = this.freq[page] + 1);
    unchecked(this.last[page] = step); // both rise: the heap catches up lazily
  }
}
