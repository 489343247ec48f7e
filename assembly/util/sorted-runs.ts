import { ordered, putSlot, slotAddress, slotKey, slotTag } from "./entry-slots";

/**
 * Ascending runs of heap entries beside each lazy heap: each run is a ring that takes an
 * entry only at its tail, and only when the entry sorts at or after the tail, so each run's head is
 * its least entry. Lazy heaps built with runs try every insert here first. Eviction keys mostly
 * grow with time (a page's last access step, its arrival), so most entries append in order: taking
 * the least then costs O(1) at a run's head instead of a sift from the root of a large heap.
 *
 * A heap's inserts may be several interleaved ascending streams — lfu's take (count, arrival) for
 * each count — so a heap may have several runs, and the inserting policy names the run
 * an entry tries. (A best fit over the runs' tails was tried instead: tails only ratchet up, so
 * after a while no run took the low streams.) Run 0
 * has room for twice the heap's capacity (one stream may carry every entry, and stale entries ride
 * in a run until they reach its head); the others a quarter of it.
 */
export class SortedRuns {
  slots: StaticArray<f64>;   // [key, tag] per slot; run r's ring is slots base[r] .. base[r] + room[r]
  base: StaticArray<i32>;
  room: StaticArray<i32>;
  head: StaticArray<i32>;    // ring index of the least entry
  size: StaticArray<i32>;
  perHeap: i32;              // runs per heap: heap h's are h * perHeap .. h * perHeap + perHeap - 1
  least: StaticArray<i32>;   // per heap, the run whose head is least, -1 when all are empty
  filled: StaticArray<i32>;  // per heap, a bit per non-empty run

  /** `capacities[h]`: the most pages heap h holds at once; `perHeap`: runs per heap (0: none). */
  constructor(capacities: StaticArray<i32>, perHeap: i32) {
    const heaps = capacities.length;
    const runs = heaps * perHeap;
    const base = new StaticArray<i32>(runs);
    const room = new StaticArray<i32>(runs);
    let total = 0;
    for (let r = 0; r < runs; r++) {
      const capacity = unchecked(capacities[r / perHeap]);
      unchecked(room[r] = r % perHeap == 0 ? 2 * capacity + 1 : capacity / 4 + 1);
      unchecked(base[r] = total);
      total += unchecked(room[r]);
    }
    this.slots = new StaticArray<f64>(2 * total);
    this.base = base;
    this.room = room;
    this.head = new StaticArray<i32>(runs);
    this.size = new StaticArray<i32>(runs);
    this.perHeap = perHeap;
    this.least = new StaticArray<i32>(heaps);
    this.filled = new StaticArray<i32>(heaps);
    for (let h = 0; h < heaps; h++) this.clear(h);
  }

  /** Empties heap h's runs. */
  clear(h: i32): void {
    for (let r = h * this.perHeap; r < (h + 1) * this.perHeap; r++) {
      unchecked(this.head[r] = 0);
      unchecked(this.size[r] = 0);
    }
    unchecked(this.least[h] = -1);
    unchecked(this.filled[h] = 0);
  }

  /** Heap h's run with the least head, -1 when its runs are empty. */
  @inline leastRun(h: i32): i32 {
    return unchecked(this.least[h]);
  }

  @inline count(r: i32): i32 {
    return unchecked(this.size[r]);
  }

  /** Slot of run r's j-th least entry (j < count(r)). */
  @inline slotAt(r: i32, j: i32): i32 {
    let i = unchecked(this.head[r]) + j;
    const room = unchecked(this.room[r]);
    if (i >= room) i -= room;
    return unchecked(this.base[r]) + i;
  }

  @inline keyAt(r: i32, j: i32): f64 {
    return slotKey(this.slots, this.slotAt(r, j));
  }

  @inline tagAt(r: i32, j: i32): i64 {
    return slotTag(this.slots, this.slotAt(r, j));
  }

  /** Lowers the key of run r's least entry (which keeps it least, and its run least). */
  @inline lowerHead(r: i32, key: f64): void {
    store<f64>(slotAddress(this.slots, this.slotAt(r, 0)), key);
  }

  /** Drops the least head of heap h's runs. */
  popLeast(h: i32): void {
    const r = unchecked(this.least[h]);
    const next = unchecked(this.head[r]) + 1;
    unchecked(this.head[r] = next == unchecked(this.room[r]) ? 0 : next);
    const left = unchecked(this.size[r]) - 1;
    unchecked(this.size[r] = left);
    if (this.perHeap == 1) {
      if (left == 0) this.clear(h);
      return;
    }
    let filled = unchecked(this.filled[h]);
    if (left == 0) {
      filled &= ~(1 << (r - h * this.perHeap));
      unchecked(this.filled[h] = filled);
    }
    let least = -1;
    for (; filled != 0; filled &= filled - 1) {
      const s = h * this.perHeap + ctz<i32>(filled);
      if (least < 0 || ordered(this.keyAt(s, 0), this.tagAt(s, 0), this.keyAt(least, 0), this.tagAt(least, 0))) least = s;
    }
    unchecked(this.least[h] = least);
  }

  /** Appends the entry to heap h's run `run` if the run has room and the entry sorts after its tail. */
  append(h: i32, run: i32, key: f64, tag: i64): bool {
    const r = h * this.perHeap + run;
    const n = unchecked(this.size[r]);
    if (n == unchecked(this.room[r])) return false;
    if (n > 0 && !ordered(this.keyAt(r, n - 1), this.tagAt(r, n - 1), key, tag)) return false;
    putSlot(this.slots, this.slotAt(r, n), key, tag);
    unchecked(this.size[r] = n + 1);
    if (n == 0) {
      unchecked(this.filled[h] = this.filled[h] | (1 << run));
      const least = unchecked(this.least[h]);
      if (least < 0 || ordered(key, tag, this.keyAt(least, 0), this.tagAt(least, 0))) unchecked(this.least[h] = r);
    }
    return true;
  }
}
