import { Policy, PolicyHints } from "./policy";
import { PolicyEntry, NoParams } from "./entry";
import { numPages, numTiers, tierCapacity, sizeOf, pages, PageRecord } from "../hierarchy/state";
import { evictable } from "../hierarchy/residency";
import { ListPool } from "../util/list-pool";
import { LinkPair } from "../util/node-layout";
import { filledI32 } from "../util/arrays";

// Lists per tier, each least recent first: T1 and T2 hold resident pages, B1 and B2 their ghosts.
const T1: i32 = 0;
const T2: i32 = 1;
const B1: i8 = 0;
const B2: i8 = 1;
const NONE: i8 = -1;

export function arc(): PolicyEntry {
  return new PolicyEntry("arc", "ARC: recency list T1 and frequency list T2 whose split p adapts to hits in their ghosts B1 and B2",
    "Megiddo & Modha, ARC, FAST 2003; libCacheSim ARC.c")
    .kvsimOnly()
    .victimSearch("four lists per tier, O(1)")
    .creates<NoParams>((params: usize): Policy => new ArcPolicy());
}

/**
 * ARC (Megiddo & Modha, FAST 2003), as libCacheSim's `ARC.c` runs it, sizes in bytes. A page
 * enters T1; a hit in T1 or T2 moves it to T2's most recent end. Evicted pages leave a ghost in
 * B1 or B2; a request finding its ghost moves the target size p of T1 (up by max(|B2|/|B1|, 1)
 * for B1, down by max(|B1|/|B2|, 1) for B2, within [0, capacity]) and enters T2. REPLACE evicts
 * T1's least recent page when T1 is non-empty and above p (or at p for a B2 ghost), or T2 is
 * empty; else T2's. A complete miss first trims the ghosts (the paper's case IV): when T1 + B1
 * would pass the capacity with the page, B1's oldest ghost goes (or, with B1 empty, T1's least
 * recent page leaves without a ghost); else, with all four at twice the capacity, B2's oldest.
 * As in libCacheSim, ghosts are trimmed only when room must be made.
 *
 * Each tier runs its own ARC. A request arrives at tier 0; a page demoted from the tier above
 * arrives at the next tier as it is evicted (its ghost is looked up then). A victim the search
 * may not take (`exclude`, the accessed page during its prefetches) is passed over for the next
 * of its list: libCacheSim has no such page.
 */
export class ArcPolicy extends Policy {
  resident: ListPool<PageRecord>; // list 2·tier + T1|T2
  ghosts: ListPool<LinkPair>;     // list 2·tier + B1|B2, node tier·numPages + page
  listOf: StaticArray<i8>;        // a resident page's list
  ghostOf: StaticArray<i8>;       // per tier·numPages + page: B1, B2 or NONE
  bytes: StaticArray<i64>;        // per 2·tier + list: resident bytes of T1, T2
  ghostBytes: StaticArray<i64>;   // per 2·tier + list: bytes of B1, B2
  target: StaticArray<f64>;       // p per tier
  /** Per tier: the page arriving now, and which ghost list it was found in (NONE: a complete miss). */
  arriving: StaticArray<i32>;
  arrivingGhost: StaticArray<i8>;
  /** Per tier: the ghost list the victim just chosen leaves its ghost in (NONE: none). */
  victimGhost: StaticArray<i8>;

  constructor() {
    super();
    // Resident links live in the page records (tier orders go unkept; a page is resident in one tier).
    this.resident = new ListPool<PageRecord>(2 * numTiers, numPages, pages);
    this.ghosts = new ListPool<LinkPair>(2 * numTiers, numTiers * numPages);
    this.listOf = new StaticArray<i8>(numPages);
    this.ghostOf = noneFilled(numTiers * numPages);
    this.bytes = new StaticArray<i64>(2 * numTiers);
    this.ghostBytes = new StaticArray<i64>(2 * numTiers);
    this.target = new StaticArray<f64>(numTiers);
    this.arriving = filledI32(numTiers, -1);
    this.arrivingGhost = noneFilled(numTiers);
    this.victimGhost = noneFilled(numTiers);
  }

  hints(): PolicyHints {
    return { walksTierOrder: false };
  }

  onAccess(page: i32, hitTier: i32): void {
    if (hitTier == 0) {
      // Tier 0's lists are T1 and T2 themselves (list 2·0 + T).
      const from = <i32>unchecked(this.listOf[page]);
      this.resident.remove(from, page);
      this.resident.append(T2, page);
      if (from == T1) this.moveBytes(0, page, T1, T2);
      return;
    }
    this.arrive(page, 0);
  }

  /** A victim of `tier` arrives at the tier below as it is demoted. */
  onEvict(page: i32, tier: i32): void {
    const kept = unchecked(this.victimGhost[tier]);
    if (kept != NONE) this.addGhost(tier, kept, page);
    unchecked(this.victimGhost[tier] = NONE);
    if (tier + 1 < numTiers) this.arrive(page, tier + 1);
  }

  /** The page is requested at `tier`: a ghost found there moves p and goes. */
  private arrive(page: i32, tier: i32): void {
    unchecked(this.arriving[tier] = page);
    const node = tier * numPages + page;
    const ghost = unchecked(this.ghostOf[node]);
    unchecked(this.arrivingGhost[tier] = ghost);
    if (ghost == NONE) return;
    const b1 = <f64>unchecked(this.ghostBytes[2 * tier + B1]);
    const b2 = <f64>unchecked(this.ghostBytes[2 * tier + B2]);
    const p = unchecked(this.target[tier]);
    unchecked(this.target[tier] = ghost == B1 ? min(p + max(b2 / b1, 1.0), <f64>unchecked(tierCapacity[tier])) : max(p - max(b1 / b2, 1.0), 0.0));
    this.dropGhost(tier, ghost, page);
  }

  onEnter(page: i32, tier: i32): void {
    const returning = unchecked(this.arriving[tier]) == page && unchecked(this.arrivingGhost[tier]) != NONE;
    unchecked(this.arriving[tier] = -1);
    const list = returning ? T2 : T1;
    unchecked(this.listOf[page] = <i8>list);
    this.resident.append(2 * tier + list, page);
    unchecked(this.bytes[2 * tier + list] = this.bytes[2 * tier + list] + <i64>sizeOf(page));
  }

  onLeave(page: i32, tier: i32): void {
    const list = <i32>unchecked(this.listOf[page]);
    this.resident.remove(2 * tier + list, page);
    unchecked(this.bytes[2 * tier + list] = this.bytes[2 * tier + list] - <i64>sizeOf(page));
  }

  victim(tier: i32, exclude: i32): i32 {
    const returning = unchecked(this.arrivingGhost[tier]);
    if (returning != NONE) return this.replace(tier, exclude, returning == B2);
    const capacity = unchecked(tierCapacity[tier]);
    const t1 = unchecked(this.bytes[2 * tier + T1]);
    const b1 = unchecked(this.ghostBytes[2 * tier + B1]);
    const incoming = unchecked(this.arriving[tier]) >= 0 ? <i64>sizeOf(unchecked(this.arriving[tier])) : 0;
    if (t1 + b1 + incoming > capacity) {
      if (b1 > 0) {
        this.dropOldestGhost(tier, B1);
        return this.replace(tier, exclude, false);
      }
      unchecked(this.victimGhost[tier] = NONE);
      return this.leastRecent(tier, T1, exclude);
    }
    const all = t1 + b1 + unchecked(this.bytes[2 * tier + T2]) + unchecked(this.ghostBytes[2 * tier + B2]);
    if (all >= 2 * capacity && unchecked(this.ghostBytes[2 * tier + B2]) > 0) this.dropOldestGhost(tier, B2);
    return this.replace(tier, exclude, false);
  }

  /** The paper's REPLACE: T1's least recent page or T2's, by T1's size against p. */
  private replace(tier: i32, exclude: i32, inB2: bool): i32 {
    const t1 = <f64>unchecked(this.bytes[2 * tier + T1]);
    const p = unchecked(this.target[tier]);
    const fromT1 = (t1 > 0 && (t1 > p || (t1 == p && inB2))) || unchecked(this.bytes[2 * tier + T2]) == 0;
    unchecked(this.victimGhost[tier] = fromT1 ? <i8>B1 : <i8>B2);
    return this.leastRecent(tier, fromT1 ? T1 : T2, exclude);
  }

  private leastRecent(tier: i32, list: i32, exclude: i32): i32 {
    let page = this.resident.first(2 * tier + list);
    while (page >= 0 && !evictable(page, exclude)) page = this.resident.next(page);
    return page;
  }

  private moveBytes(tier: i32, page: i32, from: i32, to: i32): void {
    const size = <i64>sizeOf(page);
    unchecked(this.listOf[page] = <i8>to);
    unchecked(this.bytes[2 * tier + from] = this.bytes[2 * tier + from] - size);
    unchecked(this.bytes[2 * tier + to] = this.bytes[2 * tier + to] + size);
  }

  private addGhost(tier: i32, list: i8, page: i32): void {
    const node = tier * numPages + page;
    unchecked(this.ghostOf[node] = list);
    this.ghosts.append(2 * tier + <i32>list, node);
    unchecked(this.ghostBytes[2 * tier + <i32>list] = this.ghostBytes[2 * tier + <i32>list] + <i64>sizeOf(page));
  }

  private dropGhost(tier: i32, list: i8, page: i32): void {
    const node = tier * numPages + page;
    unchecked(this.ghostOf[node] = NONE);
    this.ghosts.remove(2 * tier + <i32>list, node);
    unchecked(this.ghostBytes[2 * tier + <i32>list] = this.ghostBytes[2 * tier + <i32>list] - <i64>sizeOf(page));
  }

  private dropOldestGhost(tier: i32, list: i8): void {
    this.dropGhost(tier, list, this.ghosts.first(2 * tier + <i32>list) - tier * numPages);
  }
}

function noneFilled(n: i32): StaticArray<i8> {
  const a = new StaticArray<i8>(n);
  for (let i = 0; i < n; i++) unchecked(a[i] = NONE);
  return a;
}
