import { strideOf, linkOf } from "./node-layout";

/**
 * Indexed 4-ary min-heaps over page ids, one heap per tier — the classic "indexed priority
 * queue" for exact eviction orders whose keys change only on a page's own events: O(log n)
 * insert, update and removal. Four children per node halve the depth, and their [key, arrival]
 * pairs (16 bytes each) share about one cache line. A page's position is kept per (heap, page) node
 * `heap * nodeStride + page`, in the layout N's `link` slot of that node. With nodeStride 0 (kvsim
 * profile: a page sits in one tier) that is one node per page, which may be the engine's page
 * record; the khl profile, where a page may be resident in two tiers (kv-hierarchy-lab's quirk
 * Q1), passes nodeStride = pages.
 * Equal keys are ordered by arrival (a sequence number taken on insert), so ties go to the page
 * that entered its tier first — the same rule as kv-hierarchy-lab's first-minimum scan.
 *
 * Each heap slot holds its key and arrival inline ([key, arrival] pairs in `order`), so a sift
 * compares neighbouring slots instead of loading two pages' keys from tables the size of the page
 * space: over a million pages those loads are cache misses at every level.
 */
export const ARITY: i32 = 4;

export class IndexedHeaps<N> {
  items: StaticArray<i32>;   // heap h occupies items[base[h] .. base[h] + size[h])
  order: StaticArray<f64>;   // [key, arrival] of the page in each item slot
  arrivals: f64 = 0;         // insertion sequence (exact in a double up to 2^53)
  positions: StaticArray<i32>; // index of a node inside its heap, -1 when absent
  size: StaticArray<i32>;
  base: StaticArray<i32>;
  nodes: i32;
  nodeStride: i32;

  /** `capacities[h]`: the most pages heap h holds at once; `records`: nodes to keep positions in. */
  constructor(capacities: StaticArray<i32>, pages: i32, nodeStride: i32, records: StaticArray<i32> | null = null) {
    const heaps = capacities.length;
    const nodes = nodeStride == 0 ? pages : heaps * pages;
    const base = new StaticArray<i32>(heaps + 1);
    for (let h = 0; h < heaps; h++) unchecked(base[h + 1] = base[h] + capacities[h]);
    this.nodes = nodes;
    this.base = base;
    this.nodeStride = nodeStride;
    this.items = new StaticArray<i32>(unchecked(base[heaps]));
    this.order = new StaticArray<f64>(2 * unchecked(base[heaps]));
    this.positions = records ? records : new StaticArray<i32>(nodes * strideOf<N>());
    this.size = new StaticArray<i32>(heaps);
    this.clear();
  }

  /** Empties every heap. */
  clear(): void {
    for (let n = 0; n < this.nodes; n++) this.setPosition(n, -1);
    for (let h = 0; h < this.size.length; h++) unchecked(this.size[h] = 0);
    this.arrivals = 0;
  }

  @inline private positionOf(node: i32): i32 {
    return unchecked(this.positions[node * strideOf<N>() + linkOf<N>()]);
  }

  @inline private setPosition(node: i32, at: i32): void {
    unchecked(this.positions[node * strideOf<N>() + linkOf<N>()] = at);
  }

  /** Entries in heap h. */
  @inline count(h: i32): i32 {
    return unchecked(this.size[h]);
  }

  /** Page at index i of heap h (i < count(h)); index 0 holds the smallest key. */
  @inline pageAt(h: i32, i: i32): i32 {
    return unchecked(this.items[unchecked(this.base[h]) + i]);
  }

  /** Key stored with index i of heap h. */
  @inline keyAt(h: i32, i: i32): f64 {
    return unchecked(this.order[2 * (unchecked(this.base[h]) + i)]);
  }

  /** Smallest-key page of heap h other than `exclude`, or -1. */
  min(h: i32, exclude: i32): i32 {
    const n = unchecked(this.size[h]);
    if (n == 0) return -1;
    const base = unchecked(this.base[h]);
    const top = unchecked(this.items[base]);
    if (top != exclude) return top;
    // The second smallest is one of the root's children.
    if (n == 1) return -1;
    let best = 1;
    for (let c = 2; c <= ARITY && c < n; c++) if (this.before(base + c, base + best)) best = c;
    return unchecked(this.items[base + best]);
  }

  /** Strict heap order between two slots: smaller key, then earlier arrival. */
  @inline private before(a: i32, b: i32): bool {
    return this.precedes(unchecked(this.order[2 * a]), unchecked(this.order[2 * a + 1]), b);
  }

  /** Whether (key, arrival) comes strictly before slot b. */
  @inline private precedes(key: f64, arrival: f64, b: i32): bool {
    const kb = unchecked(this.order[2 * b]);
    return key < kb || (key == kb && arrival < unchecked(this.order[2 * b + 1]));
  }

  /** Whether slot a comes strictly before (key, arrival). */
  @inline private slotPrecedes(a: i32, key: f64, arrival: f64): bool {
    const ka = unchecked(this.order[2 * a]);
    return ka < key || (ka == key && unchecked(this.order[2 * a + 1]) < arrival);
  }

  insert(h: i32, page: i32, key: f64): void {
    const arrival = this.arrivals;
    this.arrivals = arrival + 1;
    const i = unchecked(this.size[h]);
    unchecked(this.size[h] = i + 1);
    this.siftUp(h, i, page, key, arrival);
  }

  remove(h: i32, page: i32): void {
    const node = h * this.nodeStride + page;
    const i = this.positionOf(node);
    this.setPosition(node, -1);
    const last = unchecked(this.size[h]) - 1;
    unchecked(this.size[h] = last);
    if (i == last) return;
    const from = unchecked(this.base[h]) + last;
    this.restore(h, i, unchecked(this.items[from]), unchecked(this.order[2 * from]), unchecked(this.order[2 * from + 1]));
  }

  /** Sets the page's key and restores heap h's order around it. */
  update(h: i32, page: i32, key: f64): void {
    const i = this.positionOf(h * this.nodeStride + page);
    this.restore(h, i, page, key, unchecked(this.order[2 * (unchecked(this.base[h]) + i) + 1]));
  }

  /** Puts the entry at index i and sifts it whichever way its key requires. */
  private restore(h: i32, i: i32, page: i32, key: f64, arrival: f64): void {
    const at = this.siftDown(h, i, page, key, arrival);
    if (at == i) this.siftUp(h, i, page, key, arrival);
  }

  @inline private place(h: i32, i: i32, page: i32, key: f64, arrival: f64): void {
    const slot = unchecked(this.base[h]) + i;
    unchecked(this.items[slot] = page);
    unchecked(this.order[2 * slot] = key);
    unchecked(this.order[2 * slot + 1] = arrival);
    this.setPosition(h * this.nodeStride + page, i);
  }

  /** Moves slot `from` of heap h to index i. */
  @inline private move(h: i32, from: i32, i: i32): void {
    const base = unchecked(this.base[h]);
    this.place(h, i, unchecked(this.items[base + from]), unchecked(this.order[2 * (base + from)]), unchecked(this.order[2 * (base + from) + 1]));
  }

  private siftUp(h: i32, i: i32, page: i32, key: f64, arrival: f64): void {
    const base = unchecked(this.base[h]);
    while (i > 0) {
      const parent = (i - 1) / ARITY;
      if (!this.precedes(key, arrival, base + parent)) break;
      this.move(h, parent, i);
      i = parent;
    }
    this.place(h, i, page, key, arrival);
  }

  /** Returns where the entry came to rest. */
  private siftDown(h: i32, i: i32, page: i32, key: f64, arrival: f64): i32 {
    const base = unchecked(this.base[h]);
    const n = unchecked(this.size[h]);
    while (true) {
      const first = ARITY * i + 1;
      if (first >= n) break;
      let child = first;
      const end = min(first + ARITY, n);
      for (let c = first + 1; c < end; c++) if (this.before(base + c, base + child)) child = c;
      if (!this.slotPrecedes(base + child, key, arrival)) break;
      this.move(h, child, i);
      i = child;
    }
    this.place(h, i, page, key, arrival);
    return i;
  }
}
