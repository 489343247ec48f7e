import { backSlot, linkSlot, nodeArray, strideOf } from "./node-layout";
import { SLOT_BYTES, arrivalOf, ordered, putSlot, rankOf, slotKey, slotTag, tagFor } from "./entry-slots";
import { SortedRuns } from "./sorted-runs";
import { ScoreLanes, LANE_MARK } from "./score-lanes";

/**
 * Lazy 4-ary min-heaps over page ids, one heap per tier, for exact eviction orders: O(log n)
 * insert and lowering, O(1) removal, and no position table. An indexed heap writes the moved
 * page's position into that page's node at every level of every sift, a store into a table the
 * size of the page space that is rarely in cache; here nothing outside the heap's own slots is
 * written during a sift.
 *
 * - Each page has a node (`heap * nodeStride + page`) whose layout-N `link` slot holds the page's
 *   live arrival, or -1 when it is in no heap, and whose `back` slot holds a bound on its least
 *   key (see `bound`). With nodeStride 0 (kvsim profile: a page sits in
 *   one tier) that is one node per page, which may be the engine's page record; the khl profile,
 *   where a page may be resident in two tiers (kv-hierarchy-lab's quirk Q1), passes
 *   nodeStride = pages.
 * - Each slot is 16 bytes, [key f64, tag i64] with tag = arrival << 32 | page. An entry is live
 *   while its arrival is its page's live arrival. `remove` only ends the page's live arrival;
 *   `lower` pushes a second entry for the page; stale entries are dropped when they reach the top
 *   (`top`) or when a heap's slots fill up (`compact`, which also keeps one entry per page). Slots
 *   are twice a heap's capacity, so compaction runs at most once per `capacity` pushes; tier 0's heap,
 *   where every hit may lower a key, has up to `TOP_SLACK` more, so its compactions are rarer.
 * - Equal keys are ordered by arrival, so ties go to the page that entered its tier first — the
 *   same rule as kv-hierarchy-lab's first-minimum scan.
 * - A node's four children fill one cache line.
 * - Beside each heap, sorted runs (sorted-runs.ts) take every inserted entry that sorts after
 *   its run's tail; the top is the lesser of the least run head and the heap's root. Keys that grow
 *   with time (last-access steps) mostly append, so most entries never enter the heap and leave in
 *   O(1). Lowered, re-keyed and put-back entries go to the heap: one such key appended above the
 *   insert stream would turn away every later insert until the run drained down to it. The run
 *   has room for twice the heap's capacity, since it also carries stale entries until they reach
 *   its head.
 *   Compaction drains the runs into the heap.
 * - Or, instead of runs (kvsim profile, one node per page), exact lanes (score-lanes.ts): linked
 *   lists sorted by exact keys, which the policy keeps current by moving a page whenever its score
 *   changes; pages that fit no lane's order take a lazy heap entry as before.
 */
const ARITY: i32 = 4;
const LINE_BYTES: i32 = 64;
const LINE_SLOTS: i32 = LINE_BYTES / SLOT_BYTES; // == ARITY: a node's children are one line
const ABSENT: i32 = -1;
/**
 * Extra slots for heap 0 (the top tier, where the hits are) beyond twice its capacity, at most six
 * capacities (8 MB). Hits lower keys there, so stale entries pile up there; each compaction reads
 * every entry's page record, a cache miss apiece, and with 6 capacities more it runs 7 times
 * rarer (belady +7-13% in A/Bs).
 */
const TOP_SLACK: i32 = 1 << 19;
const RUN_AHEAD: i32 = 4;

/** The least f32 at or above `key` (±Infinity past the f32 range). */
@inline function roundedUp(key: f64): f32 {
  const near = <f32>key;
  if (<f64>near >= key) return near;
  const bits = reinterpret<i32>(near);
  // One step towards +Infinity: up in magnitude when positive, down when negative; 0 goes to the
  // least positive f32.
  return reinterpret<f32>(near > 0 ? bits + 1 : near < 0 ? bits - 1 : 1);
}

@inline function roundUpToLine(slots: i32): i32 {
  return (slots + LINE_SLOTS - 1) & ~(LINE_SLOTS - 1);
}

/** Arrivals are renumbered on reaching this, so they fit a node's i32 and `arrival << 32` stays positive. */
const ARRIVAL_LIMIT: i64 = 1 << 31;
let arrivalLimit: i64 = ARRIVAL_LIMIT;

/** Lowers the renumbering threshold (tests exercise renumbering with it); 0 restores the default. */
export function setArrivalLimit(limit: i32): void {
  arrivalLimit = limit > 0 ? <i64>limit : ARRIVAL_LIMIT;
}

export class LazyHeaps<N> {
  slots: StaticArray<f64>;     // [key, tag] per slot; heap h's entry i is slot base[h] + i
  arrivals: i64 = 0;           // insertion sequence
  nodes: StaticArray<i32>;     // live arrival per node (in N's link slot), ABSENT when in no heap
  entries: StaticArray<i32>;   // slots in use per heap, live or stale
  room: StaticArray<i32>;      // slots per heap
  base: StaticArray<i32>;
  nodeCount: i32;
  nodeStride: i32;
  runs: SortedRuns;            // entries that arrived in order, one run per heap
  hasRuns: bool;
  topInRun: bool = false;      // where the entry the last top() returned is
  lanes: ScoreLanes<N> | null = null;
  hasLanes: bool = false;
  topInLane: bool = false;
  laneTaken: bool = false;     // whether the entry takeTop took out came from a lane
  /**
   * The value the first word of every node holds, when there is one (the page records' size,
   * when all pages have one size), else 0. `top` then fetches the node of the entry RUN_AHEAD
   * places down the run it pops from by storing that value, so the node's liveness check finds
   * it in the cache. (A load that misses holds up retirement until its line arrives, where a
   * store that misses waits in the store buffer while later work retires; WebAssembly has no
   * prefetch instruction. Without a shared word the node is not fetched: loading it ahead gained
   * nothing.)
   */
  sharedFirstWord: i32 = 0;

  /**
   * `capacities[h]`: the most pages heap h holds at once; `sortedRuns`: sorted runs per heap, which
   * inserts try first (worth it when keys mostly grow with time, a small cost when they never
   * do; at most 32); `records`: nodes to keep arrivals in; `lanes`: exact lanes per heap (only with
   * nodeStride 0 and no runs).
   */
  constructor(capacities: StaticArray<i32>, pages: i32, nodeStride: i32, sortedRuns: i32, records: StaticArray<i32> | null = null, lanes: i32 = 0) {
    const heaps = capacities.length;
    const nodeCount = nodeStride == 0 ? pages : heaps * pages;
    const room = new StaticArray<i32>(heaps);
    // Each heap's region is whole cache lines, and its entry 0 sits in the region's last slot of
    // its first line: node i's children (4i+1 .. 4i+4) then fill one line.
    let total = LINE_SLOTS;
    for (let h = 0; h < heaps; h++) {
      const capacity = unchecked(capacities[h]);
      unchecked(room[h] = 2 * capacity + (h == 0 ? min(6 * capacity, TOP_SLACK) : 0) + LINE_SLOTS);
      total += roundUpToLine(unchecked(room[h]) + LINE_SLOTS - 1);
    }
    const slots = new StaticArray<f64>(2 * total);
    const misalign = <i32>(changetype<usize>(slots) & (LINE_BYTES - 1)) / SLOT_BYTES;
    const base = new StaticArray<i32>(heaps);
    let region = (LINE_SLOTS - misalign) & (LINE_SLOTS - 1);
    for (let h = 0; h < heaps; h++) {
      unchecked(base[h] = region + LINE_SLOTS - 1);
      region += roundUpToLine(unchecked(room[h]) + LINE_SLOTS - 1);
    }
    this.slots = slots;
    this.base = base;
    this.room = room;
    this.nodeCount = nodeCount;
    this.nodeStride = nodeStride;
    this.nodes = nodeArray<N>(records, nodeCount);
    this.entries = new StaticArray<i32>(heaps);
    this.runs = new SortedRuns(capacities, sortedRuns);
    this.hasRuns = sortedRuns > 0;
    if (lanes > 0) {
      assert(nodeStride == 0 && sortedRuns == 0, "lanes need one node per page and no runs");
      this.lanes = new ScoreLanes<N>(heaps, lanes, pages, this.nodes);
      this.hasLanes = true;
    }
    this.clear();
  }

  /** Empties every heap. */
  clear(): void {
    for (let n = 0; n < this.nodeCount; n++) this.setLiveArrival(n, ABSENT);
    for (let h = 0; h < this.entries.length; h++) {
      unchecked(this.entries[h] = 0);
      this.runs.clear(h);
      if (this.hasLanes) changetype<ScoreLanes<N>>(this.lanes).clear(h);
    }
    this.arrivals = 0;
  }

  /** Adds a page that is in no heap h entry; its entry tries sorted run `run` first. */
  insert(h: i32, page: i32, key: f64, run: i32 = 0): void {
    const arrival = this.nextArrival();
    const node = this.nodeOf(h, page);
    this.setLiveArrival(node, arrival);
    this.setBound(node, key);
    const tag = tagFor(arrival, page);
    if (this.hasRuns && this.runs.append(h, run, key, tag)) return;
    this.pushToHeap(h, key, tag);
  }

  /**
   * Adds a page that is in no heap h entry to exact lane `lane` with its score `key`, or, when
   * `lane` is -1 or the page would break the lane's order, to the heap with `heapKey` (≤ key).
   */
  insertInLane(h: i32, page: i32, key: f64, lane: i32, heapKey: f64): void {
    this.place(h, page, key, lane, heapKey, this.nextArrival());
  }

  /** Whether the last removal from these heaps took the page out of a lane. */
  @inline leftLane(page: i32): bool {
    return this.hasLanes && changetype<ScoreLanes<N>>(this.lanes).leftPage == page;
  }

  /**
   * Adds the page that the last removal took out of a lane (`leftLane`), its score unchanged
   * since (a demoted victim), to the same lane of heap h with the same key: it needs no scoring.
   */
  reenter(h: i32, page: i32): void {
    const lanes = changetype<ScoreLanes<N>>(this.lanes);
    const key = lanes.keyLeft();
    this.place(h, page, key, lanes.laneLeft(), key, this.nextArrival());
  }

  /** Whether a page of heap h sits in an exact lane (its score changes must then `move` it). */
  @inline inLane(h: i32, page: i32): bool {
    return this.hasLanes && changetype<ScoreLanes<N>>(this.lanes).holds(page);
  }

  /** Re-files a page that `inLane`, whose score is now `key`, keeping its arrival (see `insertInLane`). */
  move(h: i32, page: i32, key: f64, lane: i32, heapKey: f64): void {
    const lanes = changetype<ScoreLanes<N>>(this.lanes);
    const arrival = lanes.arrival(page);
    lanes.remove(h, page);
    this.place(h, page, key, lane, heapKey, arrival);
  }

  /** Takes a page out of heap h: unlinked from its lane, or its heap entries go stale. */
  remove(h: i32, page: i32): void {
    if (this.inLane(h, page)) {
      changetype<ScoreLanes<N>>(this.lanes).remove(h, page);
    } else {
      this.setLiveArrival(this.nodeOf(h, page), ABSENT);
      if (this.hasLanes) changetype<ScoreLanes<N>>(this.lanes).leftPage = -1;
    }
  }

  private place(h: i32, page: i32, key: f64, lane: i32, heapKey: f64, arrival: i32): void {
    if (lane >= 0 && changetype<ScoreLanes<N>>(this.lanes).append(h, lane, page, key, arrival)) return;
    const node = this.nodeOf(h, page);
    this.setLiveArrival(node, arrival);
    this.setBound(node, heapKey);
    this.pushToHeap(h, heapKey, tagFor(arrival, page));
  }

  private nextArrival(): i32 {
    if (this.arrivals >= arrivalLimit) this.renumber();
    const arrival = <i32>this.arrivals;
    this.arrivals = arrival + 1;
    return arrival;
  }

  /**
   * Makes sure a page of heap h has an entry at or below `key` (its score may have dropped to
   * it): pushes a second entry unless the page's bound shows one already is.
   */
  lower(h: i32, page: i32, key: f64): void {
    const node = this.nodeOf(h, page);
    if (<f64>this.bound(node) <= key) return;
    this.setBound(node, key);
    this.pushToHeap(h, key, tagFor(this.liveArrival(node), page));
  }

  /**
   * The page whose entry is least in heap h, or -1 when the heap is empty; drops stale entries on
   * the way. With several entries for a page, the least one surfaces first.
   */
  top(h: i32): i32 {
    const base = unchecked(this.base[h]);
    if (this.hasLanes) return this.topWithLanes(h, base);
    if (!this.hasRuns) {
      // Kept apart so that heaps without runs pay nothing for them.
      while (unchecked(this.entries[h]) > 0) {
        const tag = this.tagOf(base);
        if (this.isLive(h, tag)) return <i32>tag;
        this.pop(h);
      }
      return -1;
    }
    const runs = this.runs;
    while (true) {
      const inHeap = unchecked(this.entries[h]) > 0;
      const run = runs.leastRun(h);
      if (!inHeap && run < 0) return -1;
      const fromRun = run >= 0 && (!inHeap || ordered(runs.keyAt(run, 0), runs.tagAt(run, 0), this.keyOf(base), this.tagOf(base)));
      const tag = fromRun ? runs.tagAt(run, 0) : this.tagOf(base);
      if (this.isLive(h, tag)) {
        this.topInRun = fromRun;
        return <i32>tag;
      }
      if (fromRun) {
        runs.popLeast(h);
        if (this.sharedFirstWord != 0 && runs.count(run) > RUN_AHEAD) {
          unchecked(this.nodes[this.nodeOf(h, <i32>runs.tagAt(run, RUN_AHEAD)) * strideOf<N>()] = this.sharedFirstWord);
        }
      } else this.pop(h);
    }
  }

  /** The lesser of the heap's root (after dropping stale entries) and the best lane's head. */
  private topWithLanes(h: i32, base: i32): i32 {
    while (unchecked(this.entries[h]) > 0 && !this.isLive(h, this.tagOf(base))) this.pop(h);
    const lanes = changetype<ScoreLanes<N>>(this.lanes);
    const lane = lanes.bestLane(h);
    const inHeap = unchecked(this.entries[h]) > 0;
    this.topInLane = lane >= 0 && (!inHeap || ordered(lanes.keyAtHead(lane), lanes.tagAtHead(lane), this.keyOf(base), this.tagOf(base)));
    if (this.topInLane) return <i32>lanes.tagAtHead(lane);
    return inHeap ? <i32>this.tagOf(base) : -1;
  }

  /** Key of heap h's top entry (after `top` returned a page); exact when `topInLane`. */
  @inline topKey(h: i32): f64 {
    if (this.topInLane) {
      const lanes = changetype<ScoreLanes<N>>(this.lanes);
      return lanes.keyAtHead(lanes.bestLane(h));
    }
    return this.topInRun ? this.runs.keyAt(this.runs.leastRun(h), 0) : this.keyOf(unchecked(this.base[h]));
  }

  /** Gives heap h's top entry a new key (after `top` returned a page not `topInLane`). */
  rekeyTop(h: i32, key: f64): void {
    const base = unchecked(this.base[h]);
    const run = this.runs.leastRun(h);
    const tag = this.topInRun ? this.runs.tagAt(run, 0) : this.tagOf(base);
    this.setBound(this.nodeOf(h, <i32>tag), key);
    if (!this.topInRun) {
      this.siftDown(base, unchecked(this.entries[h]), 0, key, tag);
    } else if (key <= this.runs.keyAt(run, 0)) {
      this.runs.lowerHead(run, key);
    } else {
      this.pushToHeap(h, key, this.takeTop(h));
    }
  }

  /**
   * Takes heap h's top entry out, so that `top` shows the runner-up, and returns its tag for
   * `putBack` (with the key `topKey` gave).
   */
  takeTop(h: i32): i64 {
    this.laneTaken = this.topInLane;
    if (this.topInLane) {
      const lanes = changetype<ScoreLanes<N>>(this.lanes);
      const tag = lanes.tagAtHead(lanes.bestLane(h));
      lanes.remove(h, <i32>tag);
      return tag;
    }
    if (this.topInRun) {
      const tag = this.runs.tagAt(this.runs.leastRun(h), 0);
      this.runs.popLeast(h);
      return tag;
    }
    const tag = this.tagOf(unchecked(this.base[h]));
    this.pop(h);
    return tag;
  }

  /** Puts back an entry `takeTop` took out. */
  putBack(h: i32, key: f64, tag: i64): void {
    if (this.laneTaken) changetype<ScoreLanes<N>>(this.lanes).restoreHead(h, <i32>tag);
    else this.pushToHeap(h, key, tag);
    this.laneTaken = false;
  }

  @inline private nodeOf(h: i32, page: i32): i32 {
    return h * this.nodeStride + page;
  }

  @inline private liveArrival(node: i32): i32 {
    return unchecked(this.nodes[linkSlot<N>(node)]);
  }

  @inline private setLiveArrival(node: i32, arrival: i32): void {
    unchecked(this.nodes[linkSlot<N>(node)] = arrival);
  }

  /**
   * An upper bound on the least key among the live page's entries, as an f32 rounded up (a page
   * node's `back` slot has 32 bits): `lower` skips the push when the bound is already at or below
   * the new key. Windowed recency lowers the score of the page leaving its window on every access,
   * and most of those scores are still above the page's stored key.
   */
  @inline private bound(node: i32): f32 {
    return reinterpret<f32>(unchecked(this.nodes[backSlot<N>(node)]));
  }

  @inline private setBound(node: i32, key: f64): void {
    unchecked(this.nodes[backSlot<N>(node)] = reinterpret<i32>(roundedUp(key)));
  }

  @inline private isLive(h: i32, tag: i64): bool {
    return arrivalOf(tag) == this.liveArrival(this.nodeOf(h, <i32>tag));
  }

  @inline private keyOf(slot: i32): f64 {
    return slotKey(this.slots, slot);
  }

  @inline private tagOf(slot: i32): i64 {
    return slotTag(this.slots, slot);
  }

  @inline private put(slot: i32, key: f64, tag: i64): void {
    putSlot(this.slots, slot, key, tag);
  }

  /** Whether slot a comes strictly before slot b. */
  @inline private before(a: i32, b: i32): bool {
    return ordered(this.keyOf(a), this.tagOf(a), this.keyOf(b), this.tagOf(b));
  }

  /** Whichever of slots a and b comes first, without a branch. */
  @inline private earlier(a: i32, b: i32): i32 {
    return select<i32>(a, b, this.before(a, b));
  }

  /** Adds an entry to the heap. */
  private pushToHeap(h: i32, key: f64, tag: i64): void {
    if (unchecked(this.entries[h]) == unchecked(this.room[h])) this.compact(h);
    const n = unchecked(this.entries[h]);
    unchecked(this.entries[h] = n + 1);
    this.siftUp(unchecked(this.base[h]), n, key, tag);
  }

  private pop(h: i32): void {
    const base = unchecked(this.base[h]);
    const last = unchecked(this.entries[h]) - 1;
    unchecked(this.entries[h] = last);
    if (last > 0) this.siftDown(base, last, 0, this.keyOf(base + last), this.tagOf(base + last));
  }

  private siftUp(base: i32, i: i32, key: f64, tag: i64): void {
    while (i > 0) {
      const parent = (i - 1) / ARITY;
      const from = base + parent;
      if (!ordered(key, tag, this.keyOf(from), this.tagOf(from))) break;
      this.put(base + i, this.keyOf(from), this.tagOf(from));
      i = parent;
    }
    this.put(base + i, key, tag);
  }

  private siftDown(base: i32, n: i32, i: i32, key: f64, tag: i64): void {
    while (true) {
      const first = ARITY * i + 1;
      if (first >= n) break;
      let child: i32;
      if (first + ARITY <= n) {
        // A full family: a branch-free tournament (random keys would mispredict a compare loop).
        const s = base + first;
        child = this.earlier(this.earlier(s, s + 1), this.earlier(s + 2, s + 3));
      } else {
        child = base + first;
        for (let c = base + first + 1; c < base + n; c++) if (this.before(c, child)) child = c;
      }
      if (!ordered(this.keyOf(child), this.tagOf(child), key, tag)) break;
      this.put(base + i, this.keyOf(child), this.tagOf(child));
      i = child - base;
    }
    this.put(base + i, key, tag);
  }

  /**
   * Keeps one entry per live page of heap h and its runs — the page's least — and rebuilds the
   * heap from them (the runs are left empty). While it runs, a kept page's node holds
   * -(index + 2) of its entry instead of its arrival (-1 stays "absent").
   */
  private compact(h: i32): void {
    const base = unchecked(this.base[h]);
    const n = unchecked(this.entries[h]);
    const runs = this.runs;
    let kept = 0;
    for (let j = 0; j < n; j++) kept = this.keepLeast(h, kept, this.keyOf(base + j), this.tagOf(base + j));
    for (let r = h * runs.perHeap; r < (h + 1) * runs.perHeap; r++) {
      for (let j = 0; j < runs.count(r); j++) kept = this.keepLeast(h, kept, runs.keyAt(r, j), runs.tagAt(r, j));
    }
    for (let j = 0; j < kept; j++) {
      const tag = this.tagOf(base + j);
      this.setLiveArrival(this.nodeOf(h, <i32>tag), arrivalOf(tag));
    }
    unchecked(this.entries[h] = kept);
    runs.clear(h);
    for (let i = (kept - 2) >> 2; i >= 0; i--) this.siftDown(base, kept, i, this.keyOf(base + i), this.tagOf(base + i));
  }

  /** One entry seen by `compact`, with `kept` entries kept so far; returns the new count. */
  private keepLeast(h: i32, kept: i32, key: f64, tag: i64): i32 {
    const base = unchecked(this.base[h]);
    const node = this.nodeOf(h, <i32>tag);
    const mark = this.liveArrival(node);
    if (mark == arrivalOf(tag)) {
      this.setLiveArrival(node, -(kept + 2));
      this.put(base + kept, key, tag);
      return kept + 1;
    }
    // A lane's node (at or below LANE_MARK) is no compaction mark: its heap entries are stale.
    if (mark <= -2 && mark > LANE_MARK) {
      const at = base - (mark + 2);
      if (this.tagOf(at) == tag && key < this.keyOf(at)) this.put(at, key, tag);
    }
    return kept;
  }

  /**
   * Renumbers the live pages' arrivals 0..n-1 in their current order. Relative order is all a
   * comparison sees, so every heap stays valid; this runs once per 2^31 inserts, and it is the
   * one place a heap allocates after setup.
   */
  private renumber(): void {
    const heaps = this.entries.length;
    let total = 0;
    for (let h = 0; h < heaps; h++) {
      this.compact(h);
      total += unchecked(this.entries[h]);
      if (this.hasLanes) total += changetype<ScoreLanes<N>>(this.lanes).count(h);
    }
    const tags = new StaticArray<i64>(total);
    let k = 0;
    for (let h = 0; h < heaps; h++) {
      const base = unchecked(this.base[h]);
      for (let i = 0; i < unchecked(this.entries[h]); i++) unchecked(tags[k++] = this.tagOf(base + i));
      if (this.hasLanes) k = changetype<ScoreLanes<N>>(this.lanes).collectTags(h, tags, k);
    }
    tags.sort();
    for (let h = 0; h < heaps; h++) {
      if (this.hasLanes) changetype<ScoreLanes<N>>(this.lanes).renumber(h, tags);
      const base = unchecked(this.base[h]);
      for (let i = 0; i < unchecked(this.entries[h]); i++) {
        const tag = this.tagOf(base + i);
        const arrival = rankOf(tags, tag);
        this.put(base + i, this.keyOf(base + i), tagFor(arrival, <i32>tag));
        this.setLiveArrival(this.nodeOf(h, <i32>tag), arrival);
      }
    }
    this.arrivals = total;
  }
}
