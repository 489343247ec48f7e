import { linkSlot, nodeArray } from "./node-layout";

/**
 * Indexed 4-ary min-heaps over page ids, one heap per tier — the classic "indexed priority
 * queue" for exact eviction orders whose keys change only on a page's own events: O(log n)
 * insert, update and removal. Four children per node halve the depth. A page's position is kept
 * per (heap, page) node `heap * nodeStride + page`, in the layout N's `link` slot of that node.
 * With nodeStride 0 (kvsim profile: a page sits in one tier) that is one node per page, which may
 * be the engine's page record; the khl profile, where a page may be resident in two tiers
 * (kv-hierarchy-lab's quirk Q1), passes nodeStride = pages.
 * Equal keys are ordered by arrival (a sequence number taken on insert), so ties go to the page
 * that entered its tier first — the same rule as kv-hierarchy-lab's first-minimum scan.
 *
 * Each slot is 16 bytes, [key f64, tag i64] with tag = arrival << 32 | page: a sift compares and
 * moves neighbouring slots without loading any page's key or id from tables the size of the page
 * space (over a million pages those loads miss the cache at every level), and a node's four
 * children fill one cache line. Comparing tags compares arrivals, which are unique.
 */
export const ARITY: i32 = 4;
const SLOT_BYTES: i32 = 16;                  // one [key, tag] pair
const LINE_BYTES: i32 = 64;
const LINE_SLOTS: i32 = LINE_BYTES / SLOT_BYTES; // == ARITY: a node's children are one line

/** Index of `value` in the ascending array `sorted`, which holds it. */
function rankOf(sorted: StaticArray<i64>, value: i64): i32 {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (unchecked(sorted[mid]) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A slot's tag: its arrival, then (low 32 bits) its page. */
@inline function tagFor(arrival: i64, page: i32): i64 {
  return (arrival << 32) | <i64><u32>page;
}

/** Strict heap order: smaller key, then earlier tag (arrival). */
@inline function ordered(keyA: f64, tagA: i64, keyB: f64, tagB: i64): bool {
  return keyA < keyB || (keyA == keyB && tagA < tagB);
}

@inline function roundUpToLine(slots: i32): i32 {
  return (slots + LINE_SLOTS - 1) & ~(LINE_SLOTS - 1);
}

/** Arrivals are renumbered on reaching this, so `arrival << 32` stays a positive i64. */
const ARRIVAL_LIMIT: i64 = 1 << 31;
let arrivalLimit: i64 = ARRIVAL_LIMIT;

/** Lowers the renumbering threshold (tests exercise renumbering with it); 0 restores the default. */
export function setArrivalLimit(limit: i32): void {
  arrivalLimit = limit > 0 ? <i64>limit : ARRIVAL_LIMIT;
}

export class IndexedHeaps<N> {
  slots: StaticArray<f64>;   // [key, tag] per slot; heap h's index i is slot base[h] + i
  arrivals: i64 = 0;         // insertion sequence
  positions: StaticArray<i32>; // index of a node inside its heap, -1 when absent
  size: StaticArray<i32>;
  base: StaticArray<i32>;
  nodes: i32;
  nodeStride: i32;

  /** `capacities[h]`: the most pages heap h holds at once; `records`: nodes to keep positions in. */
  constructor(capacities: StaticArray<i32>, pages: i32, nodeStride: i32, records: StaticArray<i32> | null = null) {
    const heaps = capacities.length;
    const nodes = nodeStride == 0 ? pages : heaps * pages;
    // Each heap's region is whole cache lines of LINE_SLOTS slots, and its index 0 sits in the
    // region's last slot of its first line: node i's children (4i+1 .. 4i+4) then fill one line.
    let total = LINE_SLOTS;
    for (let h = 0; h < heaps; h++) total += roundUpToLine(unchecked(capacities[h]) + LINE_SLOTS - 1);
    const slots = new StaticArray<f64>(2 * total);
    const misalign = <i32>(changetype<usize>(slots) & (LINE_BYTES - 1)) / SLOT_BYTES;
    const base = new StaticArray<i32>(heaps);
    let region = (LINE_SLOTS - misalign) & (LINE_SLOTS - 1);
    for (let h = 0; h < heaps; h++) {
      unchecked(base[h] = region + LINE_SLOTS - 1);
      region += roundUpToLine(unchecked(capacities[h]) + LINE_SLOTS - 1);
    }
    this.nodes = nodes;
    this.base = base;
    this.nodeStride = nodeStride;
    this.slots = slots;
    this.positions = nodeArray<N>(records, nodes);
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
    return unchecked(this.positions[linkSlot<N>(node)]);
  }

  @inline private setPosition(node: i32, at: i32): void {
    unchecked(this.positions[linkSlot<N>(node)] = at);
  }

  @inline private addressOf(slot: i32): usize {
    return changetype<usize>(this.slots) + <usize>slot * SLOT_BYTES;
  }

  @inline private keyOf(slot: i32): f64 {
    return load<f64>(this.addressOf(slot));
  }

  @inline private tagOf(slot: i32): i64 {
    return load<i64>(this.addressOf(slot), 8);
  }

  /** Entries in heap h. */
  @inline count(h: i32): i32 {
    return unchecked(this.size[h]);
  }

  /** Page at index i of heap h (i < count(h)); index 0 holds the smallest key. */
  @inline pageAt(h: i32, i: i32): i32 {
    return <i32>this.tagOf(unchecked(this.base[h]) + i);
  }

  /** Key stored with index i of heap h. */
  @inline keyAt(h: i32, i: i32): f64 {
    return this.keyOf(unchecked(this.base[h]) + i);
  }

  /** Smallest-key page of heap h other than `exclude`, or -1. */
  min(h: i32, exclude: i32): i32 {
    const n = unchecked(this.size[h]);
    if (n == 0) return -1;
    const base = unchecked(this.base[h]);
    const top = <i32>this.tagOf(base);
    if (top != exclude) return top;
    // The second smallest is one of the root's children.
    if (n == 1) return -1;
    let best = 1;
    for (let c = 2; c <= ARITY && c < n; c++) if (this.before(base + c, base + best)) best = c;
    return <i32>this.tagOf(base + best);
  }

  /** Whether slot a comes strictly before slot b. */
  @inline private before(a: i32, b: i32): bool {
    return ordered(this.keyOf(a), this.tagOf(a), this.keyOf(b), this.tagOf(b));
  }

  /** Whichever of slots a and b comes first, without a branch. */
  @inline private earlier(a: i32, b: i32): i32 {
    return select<i32>(a, b, this.before(a, b));
  }

  insert(h: i32, page: i32, key: f64): void {
    if (this.arrivals >= arrivalLimit) this.renumber();
    const arrival = this.arrivals;
    this.arrivals = arrival + 1;
    const i = unchecked(this.size[h]);
    unchecked(this.size[h] = i + 1);
    this.siftUp(h, i, key, tagFor(arrival, page));
  }

  remove(h: i32, page: i32): void {
    const node = h * this.nodeStride + page;
    const i = this.positionOf(node);
    this.setPosition(node, -1);
    const last = unchecked(this.size[h]) - 1;
    unchecked(this.size[h] = last);
    if (i == last) return;
    const from = unchecked(this.base[h]) + last;
    this.restore(h, i, this.keyOf(from), this.tagOf(from));
  }

  /** Sets the page's key and restores heap h's order around it. */
  update(h: i32, page: i32, key: f64): void {
    const i = this.positionOf(h * this.nodeStride + page);
    this.restore(h, i, key, this.tagOf(unchecked(this.base[h]) + i));
  }

  /**
   * Renumbers the live entries' arrivals 0..n-1 in their current order. Relative order is all a
   * comparison sees, so every heap stays valid; this runs once per 2^31 inserts, and it is the
   * one place a heap allocates after setup.
   */
  private renumber(): void {
    const heaps = this.size.length;
    let live = 0;
    for (let h = 0; h < heaps; h++) live += unchecked(this.size[h]);
    const tags = new StaticArray<i64>(live);
    let k = 0;
    for (let h = 0; h < heaps; h++) {
      const base = unchecked(this.base[h]);
      for (let i = 0; i < unchecked(this.size[h]); i++) unchecked(tags[k++] = this.tagOf(base + i));
    }
    tags.sort();
    for (let h = 0; h < heaps; h++) {
      const base = unchecked(this.base[h]);
      for (let i = 0; i < unchecked(this.size[h]); i++) {
        const tag = this.tagOf(base + i);
        store<i64>(this.addressOf(base + i), tagFor(rankOf(tags, tag), <i32>tag), 8);
      }
    }
    this.arrivals = live;
  }

  /** Puts the entry at index i and sifts it whichever way its key requires. */
  private restore(h: i32, i: i32, key: f64, tag: i64): void {
    const at = this.siftDown(h, i, key, tag);
    if (at == i) this.siftUp(h, i, key, tag);
  }

  @inline private place(h: i32, i: i32, key: f64, tag: i64): void {
    const at = this.addressOf(unchecked(this.base[h]) + i);
    store<f64>(at, key);
    store<i64>(at, tag, 8);
    this.setPosition(h * this.nodeStride + <i32>tag, i);
  }

  /** Moves slot `from` of heap h to index i. */
  @inline private move(h: i32, from: i32, i: i32): void {
    const slot = unchecked(this.base[h]) + from;
    this.place(h, i, this.keyOf(slot), this.tagOf(slot));
  }

  private siftUp(h: i32, i: i32, key: f64, tag: i64): void {
    const base = unchecked(this.base[h]);
    while (i > 0) {
      const parent = (i - 1) / ARITY;
      if (!ordered(key, tag, this.keyOf(base + parent), this.tagOf(base + parent))) break;
      this.move(h, parent, i);
      i = parent;
    }
    this.place(h, i, key, tag);
  }

  /** Returns where the entry came to rest. */
  private siftDown(h: i32, i: i32, key: f64, tag: i64): i32 {
    const base = unchecked(this.base[h]);
    const n = unchecked(this.size[h]);
    while (true) {
      const first = ARITY * i + 1;
      if (first >= n) break;
      let child: i32;
      if (first + ARITY <= n) {
        // A full family: a branch-free tournament (random keys would mispredict a compare loop).
        const s = base + first;
        child = this.earlier(this.earlier(s, s + 1), this.earlier(s + 2, s + 3)) - base;
      } else {
        child = first;
        for (let c = first + 1; c < n; c++) if (this.before(base + c, base + child)) child = c;
      }
      if (!ordered(this.keyOf(base + child), this.tagOf(base + child), key, tag)) break;
      this.move(h, child, i);
      i = child;
    }
    this.place(h, i, key, tag);
    return i;
  }
}
