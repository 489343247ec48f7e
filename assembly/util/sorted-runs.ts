import { ordered, putSlot, slotAddress, slotKey, slotTag } from "./entry-slots";

/**
 * One ascending run of heap entries per heap: a ring that takes an entry only at its tail, and
 * only when the entry sorts at or after the tail, so its head is always its least entry. Lazy
 * heaps built with runs try every insert here first. Eviction keys mostly grow with time (a page's last access
 * step, its arrival), so most entries append in order: taking the least then costs O(1) at the
 * run's head instead of a sift from the root of a heap twice the size (the commit that added this
 * file has the share of pushes each policy appends, and the side-by-side figures).
 */
export class SortedRuns {
  slots: StaticArray<f64>;   // [key, tag] per slot; run h's ring is slots base[h] .. base[h] + room[h]
  base: StaticArray<i32>;
  room: StaticArray<i32>;
  head: StaticArray<i32>;    // ring index of the least entry
  size: StaticArray<i32>;

  /** `capacities[h]`: run h's room. */
  constructor(capacities: StaticArray<i32>) {
    const runs = capacities.length;
    const base = new StaticArray<i32>(runs);
    let total = 0;
    for (let h = 0; h < runs; h++) {
      unchecked(base[h] = total);
      total += unchecked(capacities[h]);
    }
    this.slots = new StaticArray<f64>(2 * total);
    this.base = base;
    this.room = capacities;
    this.head = new StaticArray<i32>(runs);
    this.size = new StaticArray<i32>(runs);
  }

  /** Empties run h. */
  clear(h: i32): void {
    unchecked(this.head[h] = 0);
    unchecked(this.size[h] = 0);
  }

  @inline count(h: i32): i32 {
    return unchecked(this.size[h]);
  }

  /** Slot of run h's j-th least entry (j < count(h)). */
  @inline slotAt(h: i32, j: i32): i32 {
    let i = unchecked(this.head[h]) + j;
    const room = unchecked(this.room[h]);
    if (i >= room) i -= room;
    return unchecked(this.base[h]) + i;
  }

  @inline keyAt(h: i32, j: i32): f64 {
    return slotKey(this.slots, this.slotAt(h, j));
  }

  @inline tagAt(h: i32, j: i32): i64 {
    return slotTag(this.slots, this.slotAt(h, j));
  }

  /** Lowers the key of run h's least entry (which keeps it least). */
  @inline lowerHead(h: i32, key: f64): void {
    store<f64>(slotAddress(this.slots, this.slotAt(h, 0)), key);
  }

  /** Drops run h's least entry. */
  popHead(h: i32): void {
    const next = unchecked(this.head[h]) + 1;
    unchecked(this.head[h] = next == unchecked(this.room[h]) ? 0 : next);
    unchecked(this.size[h] = this.size[h] - 1);
  }

  /** Appends the entry to run h if the run has room and the entry sorts after its tail. */
  append(h: i32, key: f64, tag: i64): bool {
    const n = unchecked(this.size[h]);
    if (n == unchecked(this.room[h])) return false;
    if (n > 0 && !ordered(this.keyAt(h, n - 1), this.tagAt(h, n - 1), key, tag)) return false;
    putSlot(this.slots, this.slotAt(h, n), key, tag);
    unchecked(this.size[h] = n + 1);
    return true;
  }
}
