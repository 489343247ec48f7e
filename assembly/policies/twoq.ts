import { Policy, PolicyHints } from "./policy";
import { PolicyEntry } from "./entry";
import { numPages, numTiers, tierCapacity, sizeOf, pages, PageRecord, pinned } from "../hierarchy/state";
import { evictable } from "../hierarchy/residency";
import { ListPool } from "../util/list-pool";
import { LinkPair } from "../util/node-layout";
import { filledI32 } from "../util/arrays";

// Resident lists per tier, oldest (Ain) or least recent (Am) first.
const AIN: i8 = 0;
const AM: i8 = 1;

@unmanaged class TwoQParams {
  ain_ratio: f64;
  aout_ratio: f64;
}

export function twoq(): PolicyEntry {
  return new PolicyEntry("twoq", "2Q: new pages in a FIFO (Ain), pages seen again after leaving it (remembered in Aout) in an LRU (Am)",
    "Johnson & Shasha, 2Q, VLDB 1994; libCacheSim TwoQ.c")
    .number("ain_ratio", 0.25, "share of each tier's bytes for Ain, the FIFO of new pages", 0, 1)
    .number("aout_ratio", 0.5, "size of Aout, the ghost FIFO of pages Ain evicted, as a share of the tier's bytes", 0, 16)
    .kvsimOnly()
    .victimSearch("three lists per tier, O(1)")
    .creates<TwoQParams>((params: usize): Policy => new TwoQPolicy(changetype<TwoQParams>(params)));
}

/**
 * 2Q (Johnson & Shasha, VLDB 1994), as libCacheSim's `TwoQ.c` runs it, sizes in bytes. A new page
 * enters Ain, a FIFO whose hits change nothing; a page whose id is in Aout (the ghosts of pages
 * Ain evicted, a FIFO of `aout_ratio` of the tier) enters Am, an LRU of the tier's bytes less
 * Ain's share. To make room: Ain's oldest page when Ain is above its share (its id goes to Aout),
 * else Am's least recent (no ghost). Am also has a capacity of its own: a page entering Am evicts
 * its least recent pages while it would pass it, even if the tier has room (`wantsRoom`).
 *
 * Each tier runs its own 2Q. A request arrives at tier 0; a page demoted from the tier above
 * arrives at the next tier as it is evicted. libCacheSim refuses pages larger than Ain's share
 * (they bypass its cache); kvsim has no bypass. A victim the search may not take (`exclude`) is
 * passed over for the next of its list.
 */
export class TwoQPolicy extends Policy {
  ainRatio: f64;
  aoutRatio: f64;
  resident: ListPool<PageRecord>; // list 2·tier + AIN|AM
  aout: ListPool<LinkPair>;       // list tier, node tier·numPages + page
  listOf: StaticArray<i8>;
  inAout: StaticArray<bool>;      // per tier·numPages + page
  bytes: StaticArray<i64>;        // per 2·tier + list
  aoutBytes: StaticArray<i64>;
  arriving: StaticArray<i32>;
  arrivingSeen: StaticArray<bool>;
  /** Per tier: the list of the page that left it last (an eviction from Ain leaves a ghost). */
  leftFrom: StaticArray<i8>;

  constructor(params: TwoQParams) {
    super();
    this.ainRatio = params.ain_ratio;
    this.aoutRatio = params.aout_ratio;
    this.resident = new ListPool<PageRecord>(2 * numTiers, numPages, pages);
    this.aout = new ListPool<LinkPair>(numTiers, numTiers * numPages);
    this.listOf = new StaticArray<i8>(numPages);
    this.inAout = new StaticArray<bool>(numTiers * numPages);
    this.bytes = new StaticArray<i64>(2 * numTiers);
    this.aoutBytes = new StaticArray<i64>(numTiers);
    this.arriving = filledI32(numTiers, -1);
    this.arrivingSeen = new StaticArray<bool>(numTiers);
    this.leftFrom = new StaticArray<i8>(numTiers);
  }

  hints(): PolicyHints {
    return { walksTierOrder: false, evictsBeyondRoom: true };
  }

  /** Ain's share of the tier, as libCacheSim truncates it. */
  @inline private ainShare(tier: i32): i64 {
    return <i64>(<f64>unchecked(tierCapacity[tier]) * this.ainRatio);
  }

  onAccess(page: i32, hitTier: i32): void {
    if (hitTier == 0) {
      // Am is an LRU; Ain, a FIFO, keeps its order. Tier 0's lists are 2·0 + list.
      if (unchecked(this.listOf[page]) == AM) {
        this.resident.remove(<i32>AM, page);
        this.resident.append(<i32>AM, page);
      }
      return;
    }
    this.arrive(page, 0);
  }

  onEvict(page: i32, tier: i32): void {
    if (unchecked(this.leftFrom[tier]) == AIN) this.remember(page, tier);
    if (tier + 1 < numTiers) this.arrive(page, tier + 1);
  }

  /** The page is requested at `tier`: an id found in Aout goes, and the page will enter Am. */
  private arrive(page: i32, tier: i32): void {
    unchecked(this.arriving[tier] = page);
    const node = tier * numPages + page;
    const seen = unchecked(this.inAout[node]);
    unchecked(this.arrivingSeen[tier] = seen);
    if (seen) this.forget(node, tier, page);
  }

  private remember(page: i32, tier: i32): void {
    const node = tier * numPages + page;
    // Aout is a FIFO of ids: one already there stays where it is.
    if (unchecked(this.inAout[node])) return;
    const size = <i64>sizeOf(page);
    const limit = <i64>(<f64>unchecked(tierCapacity[tier]) * this.aoutRatio);
    if (size > limit) return;
    while (unchecked(this.aoutBytes[tier]) + size > limit) {
      const oldest = this.aout.first(tier);
      this.forget(oldest, tier, oldest - tier * numPages);
    }
    unchecked(this.inAout[node] = true);
    this.aout.append(tier, node);
    unchecked(this.aoutBytes[tier] = this.aoutBytes[tier] + size);
  }

  private forget(node: i32, tier: i32, page: i32): void {
    unchecked(this.inAout[node] = false);
    this.aout.remove(tier, node);
    unchecked(this.aoutBytes[tier] = this.aoutBytes[tier] - <i64>sizeOf(page));
  }

  @inline private entersAm(page: i32, tier: i32): bool {
    return unchecked(this.arriving[tier]) == page && unchecked(this.arrivingSeen[tier]);
  }

  onEnter(page: i32, tier: i32): void {
    const list = this.entersAm(page, tier) ? AM : AIN;
    unchecked(this.arriving[tier] = -1);
    unchecked(this.listOf[page] = list);
    this.resident.append(2 * tier + <i32>list, page);
    unchecked(this.bytes[2 * tier + <i32>list] = this.bytes[2 * tier + <i32>list] + <i64>sizeOf(page));
  }

  onLeave(page: i32, tier: i32): void {
    const list = unchecked(this.listOf[page]);
    unchecked(this.leftFrom[tier] = list);
    this.resident.remove(2 * tier + <i32>list, page);
    unchecked(this.bytes[2 * tier + <i32>list] = this.bytes[2 * tier + <i32>list] - <i64>sizeOf(page));
  }

  /**
   * A page about to enter Am that would pass Am's own capacity: Am evicts first (libCacheSim's
   * Am->get), while it has a page it may give. A page larger than Am's share then enters anyway,
   * where libCacheSim would not cache it.
   */
  wantsRoom(page: i32, tier: i32): bool {
    if (!this.entersAm(page, tier)) return false;
    const amShare = unchecked(tierCapacity[tier]) - this.ainShare(tier);
    return unchecked(this.bytes[2 * tier + <i32>AM]) + <i64>sizeOf(page) > amShare && this.leastRecent(2 * tier + <i32>AM, pinned) >= 0;
  }

  victim(tier: i32, exclude: i32): i32 {
    const ain = unchecked(this.bytes[2 * tier + <i32>AIN]);
    const am = unchecked(this.bytes[2 * tier + <i32>AM]);
    const arriving = unchecked(this.arriving[tier]);
    const incoming = arriving >= 0 ? <i64>sizeOf(arriving) : 0;
    // The tier lacks room: Ain above its share gives its oldest, else Am its least recent. The
    // tier has room: Am is making room in itself.
    const fromAin = ain + am + incoming > unchecked(tierCapacity[tier]) && (ain > this.ainShare(tier) || am == 0);
    return this.leastRecent(2 * tier + <i32>(fromAin ? AIN : AM), exclude);
  }

  /** The first page of the list the search may take, or -1. */
  private leastRecent(list: i32, exclude: i32): i32 {
    let page = this.resident.first(list);
    while (page >= 0 && !evictable(page, exclude)) page = this.resident.next(page);
    return page;
  }
}
