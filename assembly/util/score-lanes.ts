import { linkSlot } from "./node-layout";
import { ordered, rankOf, tagFor } from "./entry-slots";

/**
 * Exact eviction lanes beside the lazy heaps (lazy-heap.ts): per heap, a few doubly linked lists
 * of pages threaded through the pages' own nodes, each sorted by (key, arrival), so that a lane's
 * head is its least page. A page joins a lane only at the tail and only when it sorts after the
 * tail; the policy names the lane (a frequency class: heavy_hitter's and predictive's scores are
 * weight × count + last step, and within one count pages arrive in step order), and a page that
 * would break a lane's order goes to the heap instead.
 *
 * Unlike the heap, lanes are eager: a page's entry is its exact score, so the policy moves the
 * page (`LazyHeaps.move`) whenever that score changes, and removal unlinks the page at once. A
 * page hit k times costs k O(1) moves, like an LRU list, where the heap pushed a re-keyed entry
 * for each time the page surfaced and popped every entry a departed page left behind; every
 * lane head is live, so taking the least needs no liveness check of a random page.
 *
 * Each page has a 32-byte entry here: its key, arrival and lane, its successor and predecessor in
 * the lane, and two words the policy may keep its own per-page state in (`POLICY_WORDS`:
 * heavy_hitter's and predictive's count and last step), so that the page's lane state and the
 * state its score is computed from share one cache line: unlinking a page touches its neighbours'
 * entries and nothing else of theirs, a new head's key is in the entry its predecessor link was
 * just written to, and a demoted page's new entry is written to the line its score was read from.
 * (The links were in the page records and the entries 16 bytes apart from the counts: three lines
 * per page.) The tail's successor and the
 * head's predecessor are the lane's end mark, -(lane + 2), so unlinking a page finds its lane in
 * its own entry. The page's node in the heaps' node array holds LANE_MARK while the page is in a
 * lane (the heap then sees it as absent) and -1 after it leaves. The lane a page last left, and
 * the key it left a head with, are kept (`leftPage`), so a demoted victim's key is not re-read.
 */
/** A node whose `link` is at or below this is held by a lane. */
export const LANE_MARK: i32 = -(1 << 29);
const NONE: i32 = -1;
/** log2 of an entry's bytes: [key f64, arrival, lane, next, prev, policy word, policy word]. */
export const LANE_ENTRY_SHIFT: i32 = 5;
/** Index, in an entry's i32 words, of the two words the policy may use. */
export const POLICY_WORDS: i32 = 6;
const NEXT: usize = 16;
const PREV: usize = 20;

/** The mark a lane's tail has for successor and its head for predecessor (≤ -2). */
@inline function endMark(lane: i32): i32 {
  return -(lane + 2);
}

@inline function laneOfMark(mark: i32): i32 {
  return -(mark + 2);
}

export class ScoreLanes<N> {
  nodes: StaticArray<i32>;    // shared with the heaps
  entries: StaticArray<i32>;  // per page, 32 bytes (see above)
  head: StaticArray<i32>;     // per lane: heap h's lanes are h * lanes .. h * lanes + lanes - 1
  tail: StaticArray<i32>;
  headKey: StaticArray<f64>;  // the head's key and tag, kept beside the lane
  headTag: StaticArray<i64>;
  winners: StaticArray<i32>;  // per heap, a tournament over its lanes' heads (see `replay`)
  lanes: i32;
  leaves: i32;                // lanes rounded up to a power of two
  leftPage: i32 = NONE;       // the page the last removal took out (NONE after a heap's own removal)
  leftHead: bool = false;     // and, when it left a lane's head, its key and lane
  leftKey: f64 = 0;
  leftLane: i32 = 0;

  /** `lanes` per heap over `pages` pages whose nodes are `nodes`. */
  constructor(heaps: i32, lanes: i32, pages: i32, nodes: StaticArray<i32>) {
    const leaves = 1 << (32 - clz<i32>(max(lanes, 2) - 1));
    const total = heaps * lanes;
    this.nodes = nodes;
    this.entries = new StaticArray<i32>(pages << (LANE_ENTRY_SHIFT - 2));
    this.head = new StaticArray<i32>(total);
    this.tail = new StaticArray<i32>(total);
    this.headKey = new StaticArray<f64>(total);
    this.headTag = new StaticArray<i64>(total);
    this.winners = new StaticArray<i32>(heaps * 2 * leaves);
    this.lanes = lanes;
    this.leaves = leaves;
    for (let h = 0; h < heaps; h++) this.clear(h);
  }

  /** Empties heap h's lanes (their nodes are the caller's to reset). */
  clear(h: i32): void {
    for (let r = h * this.lanes; r < (h + 1) * this.lanes; r++) {
      unchecked(this.head[r] = NONE);
      unchecked(this.tail[r] = NONE);
    }
    for (let i = 0; i < 2 * this.leaves; i++) unchecked(this.winners[h * 2 * this.leaves + i] = NONE);
  }

  /** Whether the page is in a lane. */
  @inline holds(page: i32): bool {
    return unchecked(this.nodes[linkSlot<N>(page)]) <= LANE_MARK;
  }

  /** Heap h's lane with the least head, -1 when its lanes are empty. */
  @inline bestLane(h: i32): i32 {
    return unchecked(this.winners[h * 2 * this.leaves + 1]);
  }

  @inline keyAtHead(lane: i32): f64 {
    return unchecked(this.headKey[lane]);
  }

  @inline tagAtHead(lane: i32): i64 {
    return unchecked(this.headTag[lane]);
  }

  /** The arrival the page (in a lane) entered its heap with. */
  @inline arrival(page: i32): i32 {
    return load<i32>(this.entryAt(page), 8);
  }

  /**
   * Appends the page to heap h's lane `lane` with this key and arrival if it sorts after the
   * lane's tail; returns whether it did.
   */
  append(h: i32, lane: i32, page: i32, key: f64, arrival: i32): bool {
    const r = h * this.lanes + lane;
    const last = unchecked(this.tail[r]);
    const tag = tagFor(arrival, page);
    if (last >= 0) {
      if (!ordered(this.keyOf(last), tagFor(this.arrival(last), last), key, tag)) return false;
      this.setNext(last, page);
      this.setPrev(page, last);
    } else {
      unchecked(this.head[r] = page);
      this.setPrev(page, endMark(lane));
      this.cacheHead(r, key, tag);
      this.replay(h, lane, r);
    }
    this.setNext(page, endMark(lane));
    unchecked(this.nodes[linkSlot<N>(page)] = LANE_MARK);
    unchecked(this.tail[r] = page);
    const at = this.entryAt(page);
    store<f64>(at, key);
    store<i32>(at, arrival, 8);
    store<i32>(at, lane, 12);
    return true;
  }

  /** The key `leftPage` had in the lane it left. */
  @inline keyLeft(): f64 {
    return this.leftHead ? this.leftKey : load<f64>(this.entryAt(this.leftPage));
  }

  /** The lane `leftPage` left. */
  @inline laneLeft(): i32 {
    return this.leftHead ? this.leftLane : load<i32>(this.entryAt(this.leftPage), 12);
  }

  /** Unlinks the page from its lane of heap h; its node is left marked absent (-1). */
  remove(h: i32, page: i32): void {
    const next = this.nextOf(page);
    const prev = this.prevOf(page);
    unchecked(this.nodes[linkSlot<N>(page)] = NONE);
    this.leftPage = page;
    this.leftHead = false;
    if (next >= 0) this.setPrev(next, prev);
    else unchecked(this.tail[h * this.lanes + laneOfMark(next)] = prev >= 0 ? prev : NONE);
    if (prev >= 0) {
      this.setNext(prev, next); // a tail's end mark moves to its predecessor
      return;
    }
    const lane = laneOfMark(prev);
    const r = h * this.lanes + lane;
    this.leftHead = true;
    this.leftKey = unchecked(this.headKey[r]);
    this.leftLane = lane;
    unchecked(this.head[r] = next >= 0 ? next : NONE);
    if (next >= 0) {
      this.cacheHead(r, this.keyOf(next), tagFor(this.arrival(next), next));
      // Stores of values the lines already hold, to fetch them early: the new head's page record
      // (read when it is evicted) and its successor's entry (the head key read at the next removal
      // here). A store that misses waits in the store buffer; a load that misses holds up
      // retirement, and these two were the largest stalls of heavy_hitter's replay (perf annotate).
      unchecked(this.nodes[linkSlot<N>(next)] = LANE_MARK);
      const after = this.nextOf(next);
      if (after >= 0) this.setPrev(after, next);
    }
    this.replay(h, lane, next >= 0 ? r : NONE);
  }

  /** Puts a page `remove` took from the head of its lane back at that head. */
  restoreHead(h: i32, page: i32): void {
    const lane = load<i32>(this.entryAt(page), 12);
    const r = h * this.lanes + lane;
    const first = unchecked(this.head[r]);
    this.setNext(page, first >= 0 ? first : endMark(lane));
    this.setPrev(page, endMark(lane));
    if (first >= 0) this.setPrev(first, page);
    else unchecked(this.tail[r] = page);
    unchecked(this.nodes[linkSlot<N>(page)] = LANE_MARK);
    unchecked(this.head[r] = page);
    this.cacheHead(r, this.keyOf(page), tagFor(this.arrival(page), page));
    this.replay(h, lane, r);
  }

  /** Pages in heap h's lanes. */
  count(h: i32): i32 {
    let n = 0;
    for (let r = h * this.lanes; r < (h + 1) * this.lanes; r++) {
      for (let p = unchecked(this.head[r]); p >= 0; p = this.nextOf(p)) n++;
    }
    return n;
  }

  /** Writes the tag of every page in heap h's lanes into `tags` from `k`; returns the new end. */
  collectTags(h: i32, tags: StaticArray<i64>, k: i32): i32 {
    for (let r = h * this.lanes; r < (h + 1) * this.lanes; r++) {
      for (let p = unchecked(this.head[r]); p >= 0; p = this.nextOf(p)) unchecked(tags[k++] = tagFor(this.arrival(p), p));
    }
    return k;
  }

  /**
   * Renumbering: each page of heap h's lanes takes as arrival the rank of its tag in `sorted`,
   * which keeps every order (lanes stay as they are).
   */
  renumber(h: i32, sorted: StaticArray<i64>): void {
    for (let r = h * this.lanes; r < (h + 1) * this.lanes; r++) {
      for (let p = unchecked(this.head[r]); p >= 0; p = this.nextOf(p)) store<i32>(this.entryAt(p), rankOf(sorted, tagFor(this.arrival(p), p)), 8);
      const first = unchecked(this.head[r]);
      if (first >= 0) unchecked(this.headTag[r] = tagFor(this.arrival(first), first));
    }
  }

  /** The page after this one in its lane, or (negative) the lane's end mark. */
  @inline private nextOf(page: i32): i32 {
    return load<i32>(this.entryAt(page), NEXT);
  }

  @inline private prevOf(page: i32): i32 {
    return load<i32>(this.entryAt(page), PREV);
  }

  @inline private keyOf(page: i32): f64 {
    return load<f64>(this.entryAt(page));
  }

  @inline private entryAt(page: i32): usize {
    return changetype<usize>(this.entries) + (<usize>page << LANE_ENTRY_SHIFT);
  }

  @inline private setNext(page: i32, next: i32): void {
    store<i32>(this.entryAt(page), next, NEXT);
  }

  @inline private setPrev(page: i32, prev: i32): void {
    store<i32>(this.entryAt(page), prev, PREV);
  }

  @inline private cacheHead(r: i32, key: f64, tag: i64): void {
    unchecked(this.headKey[r] = key);
    unchecked(this.headTag[r] = tag);
  }

  /**
   * Replays heap h's tournament from lane `lane`'s leaf, whose head changed (`r`: the lane, or -1
   * when it emptied). Node i of a heap's tournament holds the lane with the least head below it
   * (node 1 the best, leaves from `leaves`), so a changed head costs log2(lanes) matches, not a
   * scan of every lane's head; the replay stops where a match's winner comes out unchanged.
   */
  private replay(h: i32, lane: i32, r: i32): void {
    const base = h * 2 * this.leaves;
    let i = this.leaves + lane;
    unchecked(this.winners[base + i] = r);
    while (i > 1) {
      const a = unchecked(this.winners[base + (i & ~1)]);
      const b = unchecked(this.winners[base + (i | 1)]);
      const w = a < 0 ? b : b < 0 ? a : this.before(b, a) ? b : a;
      i >>= 1;
      if (unchecked(this.winners[base + i]) == w && w != r) return;
      unchecked(this.winners[base + i] = w);
    }
  }

  @inline private before(a: i32, b: i32): bool {
    return ordered(unchecked(this.headKey[a]), unchecked(this.headTag[a]), unchecked(this.headKey[b]), unchecked(this.headTag[b]));
  }
}
