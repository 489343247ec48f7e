import { ReplayLoop } from "../abi/hierarchy";
import { Policy, PolicyHints } from "./policy";
import { PolicyEntry } from "./entry";
import { ScoredPolicy, Find, findVictim } from "./scored";
import { numPages, numTiers, profile, PROFILE_KHL, sizeOf, tierCapacity } from "../hierarchy/state";
import { moveToTail } from "../hierarchy/residency";
import { AccessCounts, countsAhead } from "./access-counts";

@unmanaged class WindowedRecencyParams {
  window_size: f64;
}

export function windowedRecency(): PolicyEntry {
  return new PolicyEntry("windowed_recency", "occurrences in the last window_size accesses, then recency", "kv-hierarchy-lab WindowedRecencyPolicy")
    .integer("window_size", 32, "sliding window length in accesses", 1)
    .victimSearch("LRU's recency list, O(1), when every tier holds more than window_size pages; else a lazy min-heap per tier, O(log n)")
    .creates<WindowedRecencyParams>((params: usize): Policy => new WindowedRecencyPolicy(changetype<WindowedRecencyParams>(params)));
}

/**
 * Recency within a sliding window of the last `window_size` accesses: score = occurrences in the
 * window × 1,000,000 + last access step. kv-hierarchy-lab's `WindowedRecencyPolicy`. Each access
 * changes at most two pages' scores (the one entering and the one falling out of the window), so
 * a heap keeps the victim search O(log n).
 *
 * In the kvsim profile the victim is often exactly LRU's, found in O(1) the same way (see
 * `evictsAsLru`): a page in the window was accessed in the last `window_size` steps and one outside
 * it was not, so every page outside scores below every page inside (its score is its last step,
 * below theirs); and outside the window the score is the last step, which is LRU's order. So
 * whenever a tier that must evict holds a page outside the window, the victim is its least
 * recently used page; and a tier holds more pages than the window when it is full, if it has room
 * for `window_size` + 1 of the largest page. This policy offers no prefetches, so every resident
 * page has been accessed (no never-used pages to tie) and the accessed page is never pinned.
 */
export class WindowedRecencyPolicy extends ScoredPolicy {
  window!: StaticArray<i32>;
  windowStart: i32 = 0;
  windowLength: i32 = 0;
  inWindow!: AccessCounts; // the count is occurrences in the window

  constructor(params: WindowedRecencyParams) {
    const size = max(1, <i32>params.window_size);
    super({ index: profile != PROFILE_KHL && evictsAsLru(size) ? Find.list : Find.heap, khl: Find.heap });
    // As LRU the policy reads no window: it keeps none.
    const asLru = this.find == Find.list;
    const kept = asLru ? 0 : size;
    this.window = new StaticArray<i32>(kept);
    this.inWindow = new AccessCounts(kept > 0 ? numPages : 0);
  }

  hints(): PolicyHints {
    const hints = super.hints();
    if (this.find != Find.list) return countsAhead(hints, this.inWindow);
    hints.replayLoop = ReplayLoop.recencyQueue;
    return hints;
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
    if (this.find == Find.list) {
      // Each tier's list is in last-access order, as LRU's (lru.ts): a hit moves the page to the tail.
      if (hitTier == 0) moveToTail(0, page);
      return;
    }
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

/**
 * Whether every tier, whenever it must evict, holds more than `window` pages, so that one of them
 * is outside the window (see the class doc). A tier evicts while its bytes plus the incoming page's
 * exceed its capacity, so it then holds more than (capacity − largest page) bytes, that is at
 * least ⌊(capacity − largest) / largest⌋ + 1 pages.
 */
function evictsAsLru(window: i32): bool {
  let largest: i64 = 1;
  for (let p = 0; p < numPages; p++) largest = max(largest, <i64>sizeOf(p));
  for (let t = 0; t < numTiers; t++) {
    const room = unchecked(tierCapacity[t]) - largest;
    if (room < 0 || room / largest < <i64>window) return false;
  }
  return true;
}
