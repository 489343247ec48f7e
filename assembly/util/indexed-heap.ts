import { filledI32 } from "./arrays";

/**
 * Indexed binary min-heaps over page ids, one heap per tier — the classic "indexed priority
 * queue" for exact eviction orders whose keys change only on a page's own events: O(log n)
 * insert, update and removal. A page's key is shared by every heap; its position and arrival are
 * kept per (heap, page) node `heap * nodeStride + page`. With nodeStride 0 (kvsim profile: a page
 * sits in one tier) that is one slot per page; the khl profile, where a page may be resident in
 * two tiers (kv-hierarchy-lab's quirk Q1), passes nodeStride = pages.
 * Equal keys are ordered by arrival (a sequence number taken on insert), so ties go to the page
 * that entered its tier first — the same rule as kv-hierarchy-lab's first-minimum scan.
 */
export class IndexedHeaps {
  items: StaticArray<i32>;   // heap h occupies items[h * capacity .. h * capacity + size[h])
  keys: StaticArray<f64>;    // key per page
  arrival: StaticArray<i64>; // insertion sequence per node (tie-breaker)
  arrivals: i64 = 0;
  pos: StaticArray<i32>;     // index of a node inside its heap, -1 when absent
  size: StaticArray<i32>;
  capacity: i32;
  nodeStride: i32;

  constructor(heaps: i32, pages: i32, nodeStride: i32) {
    const nodes = nodeStride == 0 ? pages : heaps * pages;
    this.capacity = pages;
    this.nodeStride = nodeStride;
    this.items = new StaticArray<i32>(heaps * pages);
    this.keys = new StaticArray<f64>(pages);
    this.arrival = new StaticArray<i64>(nodes);
    this.pos = filledI32(nodes, -1);
    this.size = new StaticArray<i32>(heaps);
  }

  /** Empties every heap. */
  clear(): void {
    for (let i = 0; i < this.pos.length; i++) unchecked(this.pos[i] = -1);
    for (let h = 0; h < this.size.length; h++) unchecked(this.size[h] = 0);
    this.arrivals = 0;
  }

  /** Smallest-key page of heap h other than `exclude`, or -1. */
  min(h: i32, exclude: i32): i32 {
    const n = unchecked(this.size[h]);
    if (n == 0) return -1;
    const base = h * this.capacity;
    const top = unchecked(this.items[base]);
    if (top != exclude) return top;
    // The second smallest is one of the root's children.
    if (n == 1) return -1;
    const a = unchecked(this.items[base + 1]);
    if (n == 2) return a;
    const b = unchecked(this.items[base + 2]);
    return this.before(h, b, a) ? b : a;
  }

  /** Strict heap order within heap h: smaller key, then earlier arrival. */
  @inline private before(h: i32, a: i32, b: i32): bool {
    const ka = unchecked(this.keys[a]);
    const kb = unchecked(this.keys[b]);
    const node = h * this.nodeStride;
    return ka < kb || (ka == kb && unchecked(this.arrival[node + a]) < unchecked(this.arrival[node + b]));
  }

  insert(h: i32, page: i32, key: f64): void {
    unchecked(this.keys[page] = key);
    unchecked(this.arrival[h * this.nodeStride + page] = this.arrivals++);
    const i = unchecked(this.size[h]);
    unchecked(this.size[h] = i + 1);
    this.siftUp(h, i, page);
  }

  remove(h: i32, page: i32): void {
    const node = h * this.nodeStride + page;
    const i = unchecked(this.pos[node]);
    unchecked(this.pos[node] = -1);
    const last = unchecked(this.size[h]) - 1;
    unchecked(this.size[h] = last);
    if (i == last) return;
    const moved = unchecked(this.items[h * this.capacity + last]);
    this.restore(h, i, moved);
  }

  /** Sets the page's key and restores heap h's order around it. */
  update(h: i32, page: i32, key: f64): void {
    unchecked(this.keys[page] = key);
    this.restore(h, unchecked(this.pos[h * this.nodeStride + page]), page);
  }

  /** Puts `page` at index i and sifts it whichever way its key requires. */
  private restore(h: i32, i: i32, page: i32): void {
    this.place(h, i, page);
    this.siftDown(h, i, page);
    if (unchecked(this.pos[h * this.nodeStride + page]) == i) this.siftUp(h, i, page);
  }

  @inline private place(h: i32, i: i32, page: i32): void {
    unchecked(this.items[h * this.capacity + i] = page);
    unchecked(this.pos[h * this.nodeStride + page] = i);
  }

  private siftUp(h: i32, i: i32, page: i32): void {
    const base = h * this.capacity;
    while (i > 0) {
      const parentIndex = (i - 1) >> 1;
      const parent = unchecked(this.items[base + parentIndex]);
      if (!this.before(h, page, parent)) break;
      this.place(h, i, parent);
      i = parentIndex;
    }
    this.place(h, i, page);
  }

  private siftDown(h: i32, i: i32, page: i32): void {
    const base = h * this.capacity;
    const n = unchecked(this.size[h]);
    while (true) {
      let child = 2 * i + 1;
      if (child >= n) break;
      let childPage = unchecked(this.items[base + child]);
      if (child + 1 < n) {
        const right = unchecked(this.items[base + child + 1]);
        if (this.before(h, right, childPage)) {
          child++;
          childPage = right;
        }
      }
      if (!this.before(h, childPage, page)) break;
      this.place(h, i, childPage);
      i = child;
    }
    this.place(h, i, page);
  }
}
