import { Policy, PolicyHints } from "./policy";
import { PolicyEntry } from "./entry";
import { numPages, numTiers, tierCapacity, sizeOf } from "../hierarchy/state";
import { ListPool } from "../util/list-pool";
import { LinkPair } from "../util/node-layout";

// A page's state in one tier's LIRS (per node tier·numPages + page).
const IN_S: u8 = 1;      // in the LIRS stack S
const IN_Q: u8 = 2;      // in Q, the resident HIR pages
const IN_NH: u8 = 4;     // in NH, the non-resident HIR pages still in S
const LIR: u8 = 8;       // an LIR page (S's entry)
const RESIDENT: u8 = 16; // S's entry is resident (libCacheSim's in_cache)
const OUT: u8 = 32;      // evicted by LIRS, not yet taken out of the tier by the engine

@unmanaged class LirsParams {
  hirs_ratio: f64;
}

export function lirs(): PolicyEntry {
  return new PolicyEntry("lirs", "LIRS: pages of low inter-reference recency (LIR) stay; the rest (HIR) pass through a small queue Q, whose oldest page goes",
    "Jiang & Zhang, LIRS, SIGMETRICS 2002; libCacheSim LIRS.c")
    .number("hirs_ratio", 0.01, "share of each tier's bytes for Q, the resident HIR pages (at least one byte)", 0, 0.5)
    .kvsimOnly()
    .victimSearch("three lists per tier (stack S, queue Q, non-resident HIR pages), amortised O(1)")
    .creates<LirsParams>((params: usize): Policy => new LirsPolicy(changetype<LirsParams>(params)));
}

/**
 * LIRS (Jiang & Zhang, SIGMETRICS 2002), as libCacheSim's `LIRS.c` runs it, sizes in bytes. The
 * stack S orders pages by recency: LIR pages, and HIR pages resident or not; Q holds the resident
 * HIR pages (`hirs_ratio` of the tier, at least one byte; the LIR pages the rest). An access to an
 * LIR page moves it to S's top and prunes S's bottom down to an LIR page. A hit on an HIR page in S
 * makes it LIR (leaving Q), the bottom LIR page going to Q; a hit on an HIR page in Q only moves
 * it to the top of S and Q, but, as in libCacheSim, the bottom LIR page still goes to Q when the
 * LIR pages are at their share, so Q's oldest page may leave on a hit (`wantsRoom`, which the
 * engine also asks after a hit). A miss on a non-resident HIR page in S makes it LIR; any other
 * miss makes the page LIR while the LIR pages have room, else a resident HIR page. S is kept
 * within twice the tier's bytes by dropping its oldest non-resident entries (libCacheSim's
 * `limitStack`).
 *
 * The functions follow libCacheSim's (`LIRS_find`, `LIRS_can_insert`, `LIRS_evict`,
 * `LIRS_insert`, `evictLIR`, `evictHIR`, `LIRS_prune`, `LIRS_remove`); the engine then takes out
 * of the tier, in order, the pages they evicted. Each tier runs its own LIRS: a request arrives
 * at tier 0, a page demoted from the tier above at the next tier, and a page leaving a tier for
 * tier 0 is removed there as `LIRS_remove` does. Two differences, both where libCacheSim's
 * bookkeeping breaks: libCacheSim refuses pages larger than Q's or the LIR pages' share (they
 * bypass its cache), kvsim admits them, and when they leave no room evicts Q's oldest page, else
 * the bottom LIR page (`victim`); and when Q's share is one page, a hit on Q's only page evicts
 * that very page in libCacheSim while it stays hittable in S, so its cache holds one page beyond
 * its size: kvsim keeps the page in Q, over Q's share (docs/policies.md has the counts).
 */
export class LirsPolicy extends Policy {
  hirsRatio: f64;
  s: ListPool<LinkPair>;    // list tier, oldest (S's bottom) first
  q: ListPool<LinkPair>;
  nh: ListPool<LinkPair>;
  out: ListPool<LinkPair>;  // pages LIRS evicted that the engine is still to take
  state: StaticArray<u8>;   // per node
  lirsBytes: StaticArray<i64>;
  hirsBytes: StaticArray<i64>;
  usedBytes: StaticArray<i64>; // libCacheSim's occupied_byte
  stackBytes: StaticArray<i64>; // S's bytes, resident or not
  lirsLimit: StaticArray<i64>;
  hirsLimit: StaticArray<i64>;

  constructor(params: LirsParams) {
    super();
    this.hirsRatio = params.hirs_ratio;
    const nodes = numTiers * numPages;
    this.s = new ListPool<LinkPair>(numTiers, nodes);
    this.q = new ListPool<LinkPair>(numTiers, nodes);
    this.nh = new ListPool<LinkPair>(numTiers, nodes);
    this.out = new ListPool<LinkPair>(numTiers, nodes);
    this.state = new StaticArray<u8>(nodes);
    this.lirsBytes = new StaticArray<i64>(numTiers);
    this.hirsBytes = new StaticArray<i64>(numTiers);
    this.usedBytes = new StaticArray<i64>(numTiers);
    this.stackBytes = new StaticArray<i64>(numTiers);
    this.lirsLimit = new StaticArray<i64>(numTiers);
    this.hirsLimit = new StaticArray<i64>(numTiers);
    for (let t = 0; t < numTiers; t++) {
      const capacity = unchecked(tierCapacity[t]);
      const hirs = max<i64>(1, <i64>(this.hirsRatio * <f64>capacity));
      unchecked(this.hirsLimit[t] = hirs);
      unchecked(this.lirsLimit[t] = capacity - hirs);
    }
  }

  hints(): PolicyHints {
    return { walksTierOrder: false, evictsBeyondRoom: true };
  }

  onAccess(page: i32, hitTier: i32): void {
    if (hitTier == 0) {
      this.find(page, 0);
      this.limitStack(0);
    } else {
      this.arrive(page, 0);
    }
  }

  onEvict(page: i32, tier: i32): void {
    if (tier + 1 < numTiers) this.arrive(page, tier + 1);
  }

  /** A page the tier misses: libCacheSim's find, can_insert and evictions before its insert. */
  private arrive(page: i32, tier: i32): void {
    this.find(page, tier);
    this.makeRoom(page, tier);
  }

  onEnter(page: i32, tier: i32): void {
    this.insert(page, tier);
    this.limitStack(tier);
  }

  onLeave(page: i32, tier: i32): void {
    const n = tier * numPages + page;
    const st = unchecked(this.state[n]);
    if (st & OUT) {
      this.out.remove(tier, n);
      unchecked(this.state[n] = st & ~OUT);
    } else {
      this.remove(page, tier);
    }
  }

  /** Pages LIRS evicted (on a miss, or on a hit in Q) that are still in the tier. */
  wantsRoom(page: i32, tier: i32): bool {
    return !this.out.isEmpty(tier);
  }

  /**
   * The next page LIRS evicted; when there is none but the page still does not fit (a page larger
   * than LIRS's shares, which libCacheSim would not cache), Q's oldest, else the bottom LIR page
   * (S pruned first: its bottom entries may be HIR pages there).
   */
  victim(tier: i32, exclude: i32): i32 {
    while (this.out.isEmpty(tier)) {
      if (this.evictHIR(tier, -1)) continue;
      this.prune(tier);
      if (!this.evictLIR(tier, -1)) return -1;
    }
    return this.out.first(tier) - tier * numPages;
  }

  /** libCacheSim's `LIRS_find` with update_cache: moves the page to S's and Q's tops. */
  private find(page: i32, tier: i32): void {
    const n = tier * numPages + page;
    const st = unchecked(this.state[n]);
    if (st & IN_S) this.toTop(this.s, tier, n);
    if (st & IN_Q) this.toTop(this.q, tier, n);
    const size = <i64>sizeOf(page);
    if (st & IN_S) {
      if (st & LIR) {
        this.prune(tier);
      } else if (st & RESIDENT) {
        // hit_RD_HIRinS: the page becomes LIR, an LIR page going to Q if they are at their share.
        if (st & IN_Q) this.leaveQ(n, tier, size);
        this.lirRoom(tier, size, page);
        unchecked(this.state[n] = unchecked(this.state[n]) | LIR);
        this.addLirs(tier, size);
      }
    } else if (st & IN_Q) {
      // hit_RD_HIRinQ: the page stays HIR and enters S.
      this.lirRoom(tier, size, page);
      this.enterS(n, tier, size, RESIDENT);
    }
  }

  /** libCacheSim's `LIRS_can_insert` and `LIRS_evict` loop for a page the tier misses. */
  private makeRoom(page: i32, tier: i32): void {
    const n = tier * numPages + page;
    const size = <i64>sizeOf(page);
    const capacity = unchecked(tierCapacity[tier]);
    if (this.nonResidentInS(n)) {
      this.lirRoom(tier, size, page);
      this.leaveNH(n, tier);
      while (unchecked(this.usedBytes[tier]) + size > capacity) {
        while (unchecked(this.hirsBytes[tier]) >= unchecked(this.hirsLimit[tier]) && this.evictHIR(tier, page)) {}
        if (!this.evictLIR(tier, page)) break;
      }
      return;
    }
    if (this.bothFull(tier, size)) {
      while (unchecked(this.hirsBytes[tier]) + size > unchecked(this.hirsLimit[tier]) && this.evictHIR(tier, page)) {}
    }
    while (unchecked(this.usedBytes[tier]) + size > capacity && this.bothFull(tier, size) && this.evictHIR(tier, page)) {}
  }

  /** libCacheSim's `LIRS_insert`: the page becomes resident in the tier. */
  private insert(page: i32, tier: i32): void {
    const n = tier * numPages + page;
    const size = <i64>sizeOf(page);
    if (this.nonResidentInS(n)) {
      unchecked(this.state[n] = unchecked(this.state[n]) | LIR | RESIDENT);
      this.addLirs(tier, size);
    } else if (unchecked(this.lirsBytes[tier]) + size <= unchecked(this.lirsLimit[tier])) {
      this.enterS(n, tier, size, LIR | RESIDENT);
      this.addLirs(tier, size);
    } else {
      this.enterS(n, tier, size, RESIDENT);
      this.enterQ(n, tier, size);
    }
  }

  /** libCacheSim's `LIRS_remove`: the page leaves the tier for tier 0. */
  private remove(page: i32, tier: i32): void {
    const n = tier * numPages + page;
    const st = unchecked(this.state[n]);
    const size = <i64>sizeOf(page);
    if (st & IN_S) {
      this.leaveS(n, tier, size);
      if (st & LIR) {
        unchecked(this.lirsBytes[tier] = this.lirsBytes[tier] - size);
        unchecked(this.usedBytes[tier] = this.usedBytes[tier] - size);
        this.prune(tier);
        return;
      }
    }
    if (st & IN_Q) this.leaveQ(n, tier, size);
  }

  /**
   * libCacheSim's `evictLIR`: S's bottom page (LIR after pruning) becomes HIR in Q, making room
   * there (never taking `keep`), or leaves when larger than Q's share; then S is pruned. False
   * when S has no LIR page at its bottom.
   */
  private evictLIR(tier: i32, keep: i32): bool {
    const n = this.s.first(tier);
    if (n < 0 || !(unchecked(this.state[n]) & LIR)) return false;
    const size = <i64>sizeOf(n - tier * numPages);
    this.leaveS(n, tier, size);
    unchecked(this.state[n] = unchecked(this.state[n]) & ~(LIR | RESIDENT));
    unchecked(this.lirsBytes[tier] = this.lirsBytes[tier] - size);
    unchecked(this.usedBytes[tier] = this.usedBytes[tier] - size);
    if (size <= unchecked(this.hirsLimit[tier])) {
      while (unchecked(this.hirsBytes[tier]) + size > unchecked(this.hirsLimit[tier]) && this.evictHIR(tier, keep)) {}
      this.enterQ(n, tier, size);
    } else {
      this.evicted(n, tier);
    }
    this.prune(tier);
    return true;
  }

  /**
   * libCacheSim's `evictHIR`: Q's oldest page leaves the tier; still in S, it stays there as a
   * non-resident HIR page. False when Q is empty or its oldest page is `keep`.
   */
  private evictHIR(tier: i32, keep: i32): bool {
    const n = this.q.first(tier);
    if (n < 0 || n - tier * numPages == keep) return false;
    this.leaveQ(n, tier, <i64>sizeOf(n - tier * numPages));
    const st = unchecked(this.state[n]);
    if (st & IN_S) {
      unchecked(this.state[n] = (st & ~RESIDENT) | IN_NH);
      this.nh.append(tier, n);
    }
    this.evicted(n, tier);
    return true;
  }

  /** LIR pages go to Q (`evictLIR`) while the LIR set lacks `size` bytes of room. */
  private lirRoom(tier: i32, size: i64, keep: i32): void {
    while (unchecked(this.lirsBytes[tier]) + size > unchecked(this.lirsLimit[tier]) && this.evictLIR(tier, keep)) {}
  }

  /** libCacheSim's `LIRS_prune`: S's bottom HIR entries go, down to an LIR page or S's top. */
  private prune(tier: i32): void {
    let n = this.s.first(tier);
    while (n >= 0 && n != this.s.last(tier) && !(unchecked(this.state[n]) & LIR)) {
      this.leaveNH(n, tier);
      this.leaveS(n, tier, <i64>sizeOf(n - tier * numPages));
      n = this.s.first(tier);
    }
  }

  /** libCacheSim's `limitStack`: S's oldest non-resident entries go while S passes twice the tier. */
  private limitStack(tier: i32): void {
    const limit = 2 * unchecked(tierCapacity[tier]);
    while (unchecked(this.stackBytes[tier]) > limit) {
      const n = this.nh.first(tier);
      if (n < 0) return;
      this.leaveNH(n, tier);
      this.leaveS(n, tier, <i64>sizeOf(n - tier * numPages));
    }
  }

  @inline private nonResidentInS(n: i32): bool {
    return (unchecked(this.state[n]) & (IN_S | LIR | RESIDENT)) == IN_S;
  }

  /** Both the LIR pages and Q would pass their shares with `size` more bytes. */
  @inline private bothFull(tier: i32, size: i64): bool {
    return unchecked(this.lirsBytes[tier]) + size > unchecked(this.lirsLimit[tier])
      && unchecked(this.hirsBytes[tier]) + size > unchecked(this.hirsLimit[tier]);
  }

  private toTop(list: ListPool<LinkPair>, tier: i32, n: i32): void {
    list.remove(tier, n);
    list.append(tier, n);
  }

  private addLirs(tier: i32, size: i64): void {
    unchecked(this.lirsBytes[tier] = this.lirsBytes[tier] + size);
    unchecked(this.usedBytes[tier] = this.usedBytes[tier] + size);
  }

  private enterS(n: i32, tier: i32, size: i64, flags: u8): void {
    unchecked(this.state[n] = (unchecked(this.state[n]) & ~(LIR | RESIDENT)) | IN_S | flags);
    this.s.append(tier, n);
    unchecked(this.stackBytes[tier] = this.stackBytes[tier] + size);
  }

  private leaveS(n: i32, tier: i32, size: i64): void {
    unchecked(this.state[n] = unchecked(this.state[n]) & ~(IN_S | LIR | RESIDENT));
    this.s.remove(tier, n);
    unchecked(this.stackBytes[tier] = this.stackBytes[tier] - size);
  }

  private enterQ(n: i32, tier: i32, size: i64): void {
    unchecked(this.state[n] = unchecked(this.state[n]) | IN_Q);
    this.q.append(tier, n);
    unchecked(this.hirsBytes[tier] = this.hirsBytes[tier] + size);
    unchecked(this.usedBytes[tier] = this.usedBytes[tier] + size);
  }

  private leaveQ(n: i32, tier: i32, size: i64): void {
    unchecked(this.state[n] = unchecked(this.state[n]) & ~IN_Q);
    this.q.remove(tier, n);
    unchecked(this.hirsBytes[tier] = this.hirsBytes[tier] - size);
    unchecked(this.usedBytes[tier] = this.usedBytes[tier] - size);
  }

  private leaveNH(n: i32, tier: i32): void {
    const st = unchecked(this.state[n]);
    if (!(st & IN_NH)) return;
    unchecked(this.state[n] = st & ~IN_NH);
    this.nh.remove(tier, n);
  }

  /** The page left LIRS's accounting; the engine takes it out of the tier next. */
  private evicted(n: i32, tier: i32): void {
    unchecked(this.state[n] = unchecked(this.state[n]) | OUT);
    this.out.append(tier, n);
  }
}
