import { filledI32 } from "./arrays";

/**
 * Indexed binary min-heaps over page ids, one heap per tier, sharing one position table.
 * A page sits in at most one heap at a time (the kvsim profile keeps residency exclusive), so
 * `pos[page]` is enough to find it for O(log n) update and removal — the classic "indexed
 * priority queue" used for exact eviction orders whose keys change only on a page's own events.
 * Equal keys are ordered by arrival (a sequence number taken on insert), so ties go to the page
 * that entered its tier first — the same rule as kv-hierarchy-lab's first-minimum scan.
 */
export class IndexedHeaps {
  items: StaticArray<i32>;   // heap t occupies items[t * stride .. t * stride + size[t])
  keys: StaticArray<f64>;    // key per page
  arrival: StaticArray<i64>; // insertion sequence per page (tie-breaker)
  arrivals: i64 = 0;
  pos: StaticArray<i32>;     // index inside its heap, -1 when absent
  size: StaticArray<i32>;
  stride: i32;

  constructor(heaps: i32, pages: i32) {
    this.stride = pages;
    this.items = new StaticArray<i32>(heaps * pages);
    this.keys = new StaticArray<f64>(pages);
    this.arrival = new StaticArray<i64>(pages);
    this.pos = filledI32(pages, -1);
    this.size = new StaticArray<i32>(heaps);
  }

  @inline contains(page: i32): bool {
    return unchecked(this.pos[page]) >= 0;
  }

  /** Smallest-key page of heap h other than `exclude`, or -1. */
  min(h: i32, exclude: i32): i32 {
    const n = unchecked(this.size[h]);
    if (n == 0) return -1;
    const base = h * this.stride;
    const top = unchecked(this.items[base]);
    if (top != exclude) return top;
    // The second smallest is one of the root's children.
    if (n == 1) return -1;
    const a = unchecked(this.items[base + 1]);
    if (n == 2) return a;
    const b = unchecked(this.items[base + 2]);
    return this.before(b, a) ? b : a;
  }

  /** Strict heap order: smaller key, then earlier arrival. */
  @inline private before(a: i32, b: i32): bool {
    const ka = unchecked(this.keys[a]);
    const kb = unchecked(this.keys[b]);
    return ka < kb || (ka == kb && unchecked(this.arrival[a]) < unchecked(this.arrival[b]));
  }

  insert(h: i32, page: i32, key: f64): void {
    unchecked(this.keys[page] = key);
    unchecked(this.arrival[page] = this.arrivals++);
    const i = unchecked(this.size[h]);
    unchecked(this.size[h] = i + 1);
    this.siftUp(h, i, page);
  }

  remove(h: i32, page: i32): void {
    const i = unchecked(this.pos[page]);
    unchecked(this.pos[page] = -1);
    const base = h * this.stride;
    const last = unchecked(this.size[h]) - 1;
    unchecked(this.size[h] = last);
    if (i == last) return;
    const moved = unchecked(this.items[base + last]);
    this.place(base, i, moved);
    this.siftDown(h, i, moved);
    if (unchecked(this.pos[moved]) == i) this.siftUp(h, i, moved);
  }

  update(h: i32, page: i32, key: f64): void {
    const old = unchecked(this.keys[page]);
    unchecked(this.keys[page] = key);
    const i = unchecked(this.pos[page]);
    if (key < old) this.siftUp(h, i, page);
    else if (key > old) this.siftDown(h, i, page);
  }

  @inline private place(base: i32, i: i32, page: i32): void {
    unchecked(this.items[base + i] = page);
    unchecked(this.pos[page] = i);
  }

  private siftUp(h: i32, i: i32, page: i32): void {
    const base = h * this.stride;
    while (i > 0) {
      const parentIndex = (i - 1) >> 1;
      const parent = unchecked(this.items[base + parentIndex]);
      if (!this.before(page, parent)) break;
      this.place(base, i, parent);
      i = parentIndex;
    }
    this.place(base, i, page);
  }

  private siftDown(h: i32, i: i32, page: i32): void {
    const base = h * this.stride;
    const n = unchecked(this.size[h]);
    while (true) {
      let child = 2 * i + 1;
      if (child >= n) break;
      let childPage = unchecked(this.items[base + child]);
      if (child + 1 < n) {
        const right = unchecked(this.items[base + child + 1]);
        if (this.before(right, childPage)) {
          child++;
          childPage = right;
        }
      }
      if (!this.before(childPage, page)) break;
      this.place(base, i, childPage);
      i = child;
    }
    this.place(base, i, page);
  }
}
