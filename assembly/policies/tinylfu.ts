import { Policy, PolicyHints } from "./policy";
import { PolicyEntry } from "./entry";
import { numPages, numTiers, tierCapacity, sizeOf, pages, PageRecord, objectIdOf } from "../hierarchy/state";
import { ListPool } from "../util/list-pool";
import { CountingBloom, bloomHashA, bloomHashB } from "../util/counting-bloom";

// A page's list in its tier (list 4·tier + this): the window LRU, main's two SLRU segments (all
// least recent first), and the pages W-TinyLFU evicted that the engine is still to take out.
const WINDOW: i8 = 0;
const PROBATION: i8 = 1;
const PROTECTED: i8 = 2;
const OUT: i8 = 3;
const LISTS = 4;

@unmanaged class TinyLfuParams {
  window_ratio: f64;
  probation_ratio: f64;
}

export function tinylfu(): PolicyEntry {
  return new PolicyEntry("tinylfu", "W-TinyLFU: new pages in a small LRU window; a page leaving it enters the main SLRU only if a frequency sketch counts it above main's victim",
    "Einziger, Friedman & Manes, TinyLFU, ACM ToS 2017; libCacheSim WTinyLFU.c, SLRU.c, minimalIncrementCBF.c")
    .number("window_ratio", 0.01, "share of each tier's bytes kept out of main for the window (main holds the rest)", 0, 0.99)
    .number("probation_ratio", 0.2, "share of main's bytes for its probation segment (protected: the rest)", 0, 1)
    .kvsimOnly()
    .readsObjectIds()
    .victimSearch("four lists per tier and a counting Bloom filter of 10 u32 counters a key, O(1) per page moved")
    .creates<TinyLfuParams>((params: usize): Policy => new TinyLfuPolicy(changetype<TinyLfuParams>(params)));
}

/**
 * W-TinyLFU (Einziger, Friedman & Manes, ACM ToS 2017), as libCacheSim's `WTinyLFU.c` runs it with
 * its default main cache, sizes in bytes. A tier is a window LRU and a main SLRU of the tier's
 * bytes less `window_ratio` of them (`WTinyLFU_init`: the window's size truncated, main the rest),
 * main split into probation (`probation_ratio`, truncated) and protected (the rest, truncated), as
 * `SLRU_init` with "seg-size=1:4" sizes them. The window's size bounds nothing else: a new page
 * always enters the window (`WTinyLFU_insert`), which holds whatever main does not.
 *
 * To make room (`WTinyLFU_evict`): the window's least recent page enters main if main has room;
 * else it faces main's victim (probation's least recent, or protected's when probation is empty:
 * `SLRU_to_evict`), and if the sketch counts it higher, main's victim leaves and it enters main,
 * and the next window page is tried; else it leaves, which ends the round. With the window empty,
 * main's victim leaves. A round may so evict several pages (`wantsRoom`). A page entering main
 * joins probation if it has room, else protected if that has, else probation (`SLRU_insert`).
 * A hit in the window refreshes it there; a hit in probation moves the page to protected, whose
 * least recent pages then go back to probation, whose least recent pages then leave the cache
 * (`SLRU_find`, `SLRU_cool`): a hit can evict, which the engine then takes (`wantsRoom`).
 *
 * The sketch is libCacheSim's counting Bloom filter (util/counting-bloom.ts) over each page's
 * object id, hashed with XXH64 as libCacheSim hashes the id (state.ts `objectIdOf`: an
 * oracleGeneral trace's own ids), sized for the pages main can hold. It counts a page when it
 * enters the tier, when it is hit in main, and each time it leaves the window in a round; every
 * 32 × main's pages hits in main it halves all counters (`WTinyLFU_find`'s decay).
 *
 * Each tier runs its own W-TinyLFU: a request arrives at tier 0, a page demoted from the tier above
 * at the next tier, and a page leaving a tier for tier 0 is removed there (`WTinyLFU_remove`).
 * Differences, where libCacheSim would not cache at all: it refuses pages larger than the window's
 * or probation's share (they bypass its cache: under `--ignore-obj-size`, a cache below 100
 * objects caches nothing); kvsim admits them, and a window page larger than main leaves from the
 * window. libCacheSim sizes the sketch by main's bytes, kvsim by the pages main can hold (at most
 * every page of the trace): the same when pages are one byte. The policy offers no prefetches, so
 * no page is ever pinned (`victim`'s `exclude` is always -1).
 */
export class TinyLfuPolicy extends Policy {
  windowRatio: f64;
  probationRatio: f64;
  lists: ListPool<PageRecord>; // list LISTS·tier + WINDOW..OUT
  listOf: StaticArray<i8>;
  bytes: StaticArray<i64>;     // per LISTS·tier + list
  mainLimit: StaticArray<i64>;
  probationLimit: StaticArray<i64>;
  protectedLimit: StaticArray<i64>;
  sketches: CountingBloom[] = [];
  // Hits in tier 0's main since its sketch was last halved, and how many halve it: only tier 0
  // is hit (a page found in a lower tier leaves it for tier 0).
  mainHits: i64 = 0;
  decayEvery: i64 = 0;
  hashA: StaticArray<u32>;     // per page: the sketch's two hashes of its object id
  hashB: StaticArray<u32>;

  constructor(params: TinyLfuParams) {
    super();
    this.windowRatio = params.window_ratio;
    this.probationRatio = params.probation_ratio;
    this.lists = new ListPool<PageRecord>(LISTS * numTiers, numPages, pages);
    this.listOf = new StaticArray<i8>(numPages);
    this.bytes = new StaticArray<i64>(LISTS * numTiers);
    this.mainLimit = new StaticArray<i64>(numTiers);
    this.probationLimit = new StaticArray<i64>(numTiers);
    this.protectedLimit = new StaticArray<i64>(numTiers);
    this.hashA = new StaticArray<u32>(numPages);
    this.hashB = new StaticArray<u32>(numPages);
    let smallest: i64 = I64.MAX_VALUE;
    for (let p = 0; p < numPages; p++) smallest = min(smallest, <i64>sizeOf(p));
    for (let t = 0; t < numTiers; t++) {
      const capacity = unchecked(tierCapacity[t]);
      const main = capacity - <i64>(<f64>capacity * this.windowRatio);
      unchecked(this.mainLimit[t] = main);
      unchecked(this.probationLimit[t] = <i64>(this.probationRatio * <f64>main));
      unchecked(this.protectedLimit[t] = <i64>((1.0 - this.probationRatio) * <f64>main));
      const mainPages = <i32>min(main / smallest, <i64>numPages);
      this.sketches.push(new CountingBloom(mainPages));
      if (t == 0) this.decayEvery = 32 * <i64>mainPages;
    }
    for (let p = 0; p < numPages; p++) {
      const id = objectIdOf(p);
      unchecked(this.hashA[p] = bloomHashA(id));
      unchecked(this.hashB[p] = bloomHashB(id));
    }
  }

  hints(): PolicyHints {
    return { walksTierOrder: false, evictsBeyondRoom: true };
  }

  /** A hit in tier 0 is libCacheSim's `WTinyLFU_find`; any other access finds nothing there. */
  onAccess(page: i32, hitTier: i32): void {
    if (hitTier != 0) return;
    const list = unchecked(this.listOf[page]);
    if (list == WINDOW) {
      this.touch(0, WINDOW, page);
      return;
    }
    if (list == PROTECTED) this.touch(0, PROTECTED, page);
    else this.promote(0, page);
    this.count(0, page);
    if (++this.mainHits >= this.decayEvery) {
      this.mainHits = 0;
      unchecked(this.sketches[0]).decay();
    }
  }

  /** `WTinyLFU_insert`: the page joins the window's most recent end and is counted. */
  onEnter(page: i32, tier: i32): void {
    this.join(tier, WINDOW, page);
    this.count(tier, page);
  }

  /** `WTinyLFU_remove`, or the engine taking a page W-TinyLFU evicted. */
  onLeave(page: i32, tier: i32): void {
    this.leave(tier, unchecked(this.listOf[page]), page);
  }

  /** Pages W-TinyLFU evicted (in a round, or on a hit in probation) that are still in the tier. */
  wantsRoom(page: i32, tier: i32): bool {
    return !this.lists.isEmpty(LISTS * tier + OUT);
  }

  victim(tier: i32, exclude: i32): i32 {
    if (this.lists.isEmpty(LISTS * tier + OUT)) this.evictRound(tier);
    return this.lists.first(LISTS * tier + OUT);
  }

  /** `WTinyLFU_evict`: window pages enter main or face its victim until one leaves. */
  private evictRound(tier: i32): void {
    const sketch = unchecked(this.sketches[tier]);
    const limit = unchecked(this.mainLimit[tier]);
    for (;;) {
      const page = this.lists.first(LISTS * tier + WINDOW);
      if (page < 0) {
        this.evictMain(tier);
        return;
      }
      const size = <i64>sizeOf(page);
      if (this.mainBytes(tier) + size <= limit) {
        this.leave(tier, WINDOW, page);
        this.insertMain(tier, page);
      } else {
        const rival = this.mainVictim(tier);
        const a = unchecked(this.hashA[page]);
        const b = unchecked(this.hashB[page]);
        if (rival >= 0 && size <= limit
          && sketch.estimate(a, b) > sketch.estimate(unchecked(this.hashA[rival]), unchecked(this.hashB[rival]))) {
          this.evictMain(tier);
          this.leave(tier, WINDOW, page);
          this.insertMain(tier, page);
        } else {
          this.leave(tier, WINDOW, page);
          this.join(tier, OUT, page);
          sketch.add(a, b);
          return;
        }
      }
      this.count(tier, page);
    }
  }

  /** `SLRU_find` on a probation page: to protected, whose overflow cools back (`SLRU_cool`). */
  private promote(tier: i32, page: i32): void {
    this.leave(tier, PROBATION, page);
    this.join(tier, PROTECTED, page);
    // libCacheSim re-reads the page's segment each time round (`obj->SLRU.lru_id`).
    for (;;) {
      const list = unchecked(this.listOf[page]);
      if (list == OUT || this.segmentBytes(tier, list) <= this.segmentLimit(tier, list)) return;
      if (list == PROTECTED) this.cool(tier);
      else this.evictMain(tier);
    }
  }

  /** `SLRU_cool(1)`: protected's least recent page to probation, whose excess then leaves. */
  private cool(tier: i32): void {
    const page = this.lists.first(LISTS * tier + PROTECTED);
    this.leave(tier, PROTECTED, page);
    this.join(tier, PROBATION, page);
    while (this.segmentBytes(tier, PROBATION) > unchecked(this.probationLimit[tier])) this.evictMain(tier);
  }

  /** `SLRU_insert`: the lowest segment with room, else room made and probation. */
  private insertMain(tier: i32, page: i32): void {
    const size = <i64>sizeOf(page);
    let list = PROBATION;
    if (this.segmentBytes(tier, PROBATION) + size > unchecked(this.probationLimit[tier])) {
      if (this.segmentBytes(tier, PROTECTED) + size <= unchecked(this.protectedLimit[tier])) {
        list = PROTECTED;
      } else {
        while (this.mainBytes(tier) + size > unchecked(this.mainLimit[tier]) && this.evictMain(tier)) {}
      }
    }
    this.join(tier, list, page);
  }

  /** `SLRU_to_evict`: probation's least recent page, else protected's; -1 when main is empty. */
  private mainVictim(tier: i32): i32 {
    const page = this.lists.first(LISTS * tier + PROBATION);
    return page >= 0 ? page : this.lists.first(LISTS * tier + PROTECTED);
  }

  /** `SLRU_evict`: main's victim leaves the cache. False when main is empty. */
  private evictMain(tier: i32): bool {
    const page = this.mainVictim(tier);
    if (page < 0) return false;
    this.leave(tier, unchecked(this.listOf[page]), page);
    this.join(tier, OUT, page);
    return true;
  }

  @inline private count(tier: i32, page: i32): void {
    unchecked(this.sketches[tier]).add(unchecked(this.hashA[page]), unchecked(this.hashB[page]));
  }

  @inline private mainBytes(tier: i32): i64 {
    return this.segmentBytes(tier, PROBATION) + this.segmentBytes(tier, PROTECTED);
  }

  @inline private segmentBytes(tier: i32, list: i8): i64 {
    return unchecked(this.bytes[LISTS * tier + list]);
  }

  @inline private segmentLimit(tier: i32, list: i8): i64 {
    return list == PROTECTED ? unchecked(this.protectedLimit[tier]) : unchecked(this.probationLimit[tier]);
  }

  /** Moves the page to its list's most recent end. */
  private touch(tier: i32, list: i8, page: i32): void {
    this.lists.remove(LISTS * tier + list, page);
    this.lists.append(LISTS * tier + list, page);
  }

  private join(tier: i32, list: i8, page: i32): void {
    this.lists.append(LISTS * tier + list, page);
    unchecked(this.listOf[page] = list);
    unchecked(this.bytes[LISTS * tier + list] = this.bytes[LISTS * tier + list] + <i64>sizeOf(page));
  }

  private leave(tier: i32, list: i8, page: i32): void {
    this.lists.remove(LISTS * tier + list, page);
    unchecked(this.bytes[LISTS * tier + list] = this.bytes[LISTS * tier + list] - <i64>sizeOf(page));
  }
}
