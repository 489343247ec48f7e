import { Policy, PolicyHints } from "./policy";
import { PolicyEntry } from "./entry";
import { numPages, numTiers, tierCapacity, sizeOf, pages, PageRecord } from "../hierarchy/state";
import { tierCount, evictable } from "../hierarchy/residency";
import { ListPool } from "../util/list-pool";
import { LinkPair } from "../util/node-layout";
import { filledI32 } from "../util/arrays";

const SMALL: i32 = 0;
const MAIN: i32 = 1;

@unmanaged class S3FifoParams {
  small_ratio: f64;
  move_to_main_threshold: f64;
  ghost_fifo: f64;
  ghost_ratio: f64;
  drain_small: f64;
  ghost_check_first: f64;
}

export function s3fifo(): PolicyEntry {
  return new PolicyEntry("s3fifo", "small FIFO filter + main FIFO with reinsertion + ghost", "Yang et al., S3-FIFO, SOSP 2023; libCacheSim S3FIFO.c (its definition in the libcachesim profile)")
    .number("small_ratio", 0.1, "share of each tier's bytes given to the small FIFO", 0, 1)
    .integer("move_to_main_threshold", 1, "hits a page needs while in the small FIFO to move to main when it reaches the head", 1, 3).inLibCacheSim(2)
    .integer("ghost_fifo", 0, "0: the ghost is the tier's last max(16, pages held) small-FIFO evictions, an entry kept when its page returns; 1: a FIFO of ghost_ratio of the tier's bytes, a return removing the entry", 0, 1).inLibCacheSim(1)
    .number("ghost_ratio", 0.9, "with ghost_fifo 1: the ghost FIFO's size, a share of the tier's bytes", 0, 16)
    .integer("drain_small", 0, "0: each page moved on re-decides which queue evicts; 1: main evicts when its bytes pass its share, else the small FIFO is drained until a page leaves", 0, 1).inLibCacheSim(1)
    .integer("ghost_check_first", 0, "0: a missed page is looked up in the ghost as it enters, after room is made; 1: when it is requested, before", 0, 1).inLibCacheSim(1)
    .kvsimOnly()
    .evictsBlocks()
    .remembersEvictedPages()
    .victimSearch("two FIFO lists per tier, amortised O(1)")
    .creates<S3FifoParams>((params: usize): Policy => new S3FifoPolicy(changetype<S3FifoParams>(params)));
}

/**
 * S3-FIFO (Yang et al., SOSP 2023; libCacheSim `S3FIFO.c`): a small FIFO taking
 * `small_ratio` of the tier's bytes filters one-hit wonders; a page accessed while in it moves to
 * the main FIFO (2-bit CLOCK reinsertion), an unaccessed one is evicted and remembered in a ghost
 * queue, and a ghost hit enters main directly. Each tier runs its own instance over the pages it
 * holds. All operations O(1) amortised.
 *
 * kvsim's defaults differ from libCacheSim's in four places, each a parameter (the libcachesim
 * profile sets all four; docs/policies.md gives the reasons): one hit in the small FIFO earns main
 * (libCacheSim: 2); the ghost is a window of recent small-FIFO evictions, kept as a per-page stamp
 * against a per-tier counter so it needs no queue (libCacheSim: a FIFO of 0.9 of the cache, a hit
 * removing its entry); the queue to evict from is re-decided after every page moved on
 * (libCacheSim drains the small FIFO until one page leaves); and the ghost is consulted as the
 * page enters (libCacheSim: when it is requested, before room is made). Still different: an object
 * as large as the small FIFO bypasses libCacheSim's cache; kvsim has no bypass.
 */
export class S3FifoPolicy extends Policy {
  smallRatio: f64;
  threshold: u8;
  ghostFifo: bool;
  ghostRatio: f64;
  drainSmall: bool;
  ghostCheckFirst: bool;
  queues: ListPool<PageRecord>; // list 2·tier + SMALL|MAIN
  queueOf: StaticArray<i8>;
  freq: StaticArray<u8>;
  smallBytes: StaticArray<i64>;
  mainBytes: StaticArray<i64>;
  mainCount: StaticArray<i32>;
  ghostTier: StaticArray<i32>;
  ghostStamp: StaticArray<i64>;
  ghostClock: StaticArray<i64>;
  /** With ghost_fifo: list `tier` holds the tier's ghost entries, oldest first. */
  ghosts: ListPool<LinkPair>;
  ghostBytes: StaticArray<i64>;
  /** With ghost_check_first: the page whose request just found (and removed) its ghost entry. */
  returning: i32 = -1;

  constructor(params: S3FifoParams) {
    super();
    this.smallRatio = params.small_ratio;
    this.threshold = <u8>params.move_to_main_threshold;
    const ghostFifo = params.ghost_fifo != 0;
    this.ghostFifo = ghostFifo;
    this.ghostRatio = params.ghost_ratio;
    this.drainSmall = params.drain_small != 0;
    this.ghostCheckFirst = params.ghost_check_first != 0;
    // The page records' link slots are free (the tier orders go unkept): touching a page's queue
    // links then shares the cache line the engine already loaded. kvsim profile only, so a page
    // sits in at most one queue.
    this.queues = new ListPool<PageRecord>(2 * numTiers, numPages, pages);
    this.queueOf = new StaticArray<i8>(numPages);
    this.freq = new StaticArray<u8>(numPages);
    this.smallBytes = new StaticArray<i64>(numTiers);
    this.mainBytes = new StaticArray<i64>(numTiers);
    this.mainCount = new StaticArray<i32>(numTiers);
    this.ghostTier = filledI32(numPages, -1);
    this.ghostStamp = new StaticArray<i64>(ghostFifo ? 0 : numPages);
    this.ghostClock = new StaticArray<i64>(numTiers);
    // An evicted page is in no queue but may be a ghost: its ghost links are its own.
    this.ghosts = new ListPool<LinkPair>(ghostFifo ? numTiers : 0, ghostFifo ? numPages : 0);
    this.ghostBytes = new StaticArray<i64>(numTiers);
  }

  /** The page records' link slots hold this policy's queues (see the constructor). */
  hints(): PolicyHints {
    return { walksTierOrder: false };
  }

  onAccess(page: i32, hitTier: i32): void {
    if (hitTier == 0) {
      if (unchecked(this.freq[page]) < 3) unchecked(this.freq[page] = this.freq[page] + 1);
    } else if (this.ghostCheckFirst) {
      this.returning = this.leaveGhost(page, 0) ? page : -1;
    }
  }

  /** Whether the page has a ghost entry of the tier; the entry goes (a return consumes it). */
  private leaveGhost(page: i32, tier: i32): bool {
    if (unchecked(this.ghostTier[page]) != tier) return false;
    if (this.ghostFifo) {
      this.dropGhost(page);
      return true;
    }
    // The stamp window remembers the last ~(pages the tier holds) small-queue evictions; an
    // expired stamp stays (the window grows as the tier fills, and may take it back).
    const horizon = max<i64>(16, <i64>unchecked(tierCount[tier]));
    if (unchecked(this.ghostClock[tier]) - unchecked(this.ghostStamp[page]) >= horizon) return false;
    unchecked(this.ghostTier[page] = -1);
    return true;
  }

  private dropGhost(page: i32): void {
    const tier = unchecked(this.ghostTier[page]);
    this.ghosts.remove(tier, page);
    unchecked(this.ghostBytes[tier] = this.ghostBytes[tier] - <i64>sizeOf(page));
    unchecked(this.ghostTier[page] = -1);
  }

  /** Remembers a page the small FIFO evicted. */
  private remember(page: i32, tier: i32): void {
    if (!this.ghostFifo) {
      const clock = unchecked(this.ghostClock[tier]);
      unchecked(this.ghostClock[tier] = clock + 1);
      unchecked(this.ghostTier[page] = tier);
      unchecked(this.ghostStamp[page] = clock);
      return;
    }
    // libCacheSim's ghost is a FIFO cache of ids: an entry already there stays where it is.
    if (unchecked(this.ghostTier[page]) == tier) return;
    if (unchecked(this.ghostTier[page]) >= 0) this.dropGhost(page);
    const bytes = <i64>sizeOf(page);
    const limit = <i64>(<f64>unchecked(tierCapacity[tier]) * this.ghostRatio);
    if (bytes > limit) return;
    while (unchecked(this.ghostBytes[tier]) + bytes > limit) this.dropGhost(this.ghosts.first(tier));
    this.ghosts.append(tier, page);
    unchecked(this.ghostBytes[tier] = this.ghostBytes[tier] + bytes);
    unchecked(this.ghostTier[page] = tier);
  }

  onEnter(page: i32, tier: i32): void {
    unchecked(this.freq[page] = 0);
    // Requests arrive at tier 0; a page entering below was demoted and is looked up as it enters.
    let returning: bool;
    if (this.ghostCheckFirst && tier == 0) {
      returning = this.returning == page;
      this.returning = -1;
    } else {
      returning = this.leaveGhost(page, tier);
    }
    this.enqueue(tier, returning ? MAIN : SMALL, page);
  }

  onLeave(page: i32, tier: i32): void {
    const q = <i32>unchecked(this.queueOf[page]);
    this.queues.remove(2 * tier + q, page);
    const bytes = <i64>sizeOf(page);
    if (q == SMALL) {
      unchecked(this.smallBytes[tier] = this.smallBytes[tier] - bytes);
    } else {
      unchecked(this.mainBytes[tier] = this.mainBytes[tier] - bytes);
      unchecked(this.mainCount[tier] = this.mainCount[tier] - 1);
    }
  }

  private enqueue(tier: i32, q: i32, page: i32): void {
    unchecked(this.queueOf[page] = <i8>q);
    this.queues.append(2 * tier + q, page);
    const bytes = <i64>sizeOf(page);
    if (q == SMALL) {
      unchecked(this.smallBytes[tier] = this.smallBytes[tier] + bytes);
    } else {
      unchecked(this.mainBytes[tier] = this.mainBytes[tier] + bytes);
      unchecked(this.mainCount[tier] = this.mainCount[tier] + 1);
    }
  }

  /** A page in use stays in its queue; the victim search moves it on like a hit page. */
  keepsPinnedPages(): bool {
    return true;
  }

  /** The block pool gives the page's id to other content: its ghost entry is not that content's. */
  onForget(page: i32): void {
    if (this.ghostFifo && unchecked(this.ghostTier[page]) >= 0) this.dropGhost(page);
    unchecked(this.ghostTier[page] = -1);
  }

  /** Whether the small FIFO evicts next, by kvsim's rule or (drain_small) libCacheSim's. */
  private smallEvicts(tier: i32): bool {
    const smallList = 2 * tier + SMALL;
    const capacity = unchecked(tierCapacity[tier]);
    const smallShare = <i64>(<f64>capacity * this.smallRatio);
    if (this.drainSmall) return !this.queues.isEmpty(smallList) && unchecked(this.mainBytes[tier]) <= capacity - smallShare;
    return this.queues.isEmpty(2 * tier + MAIN) || (!this.queues.isEmpty(smallList) && unchecked(this.smallBytes[tier]) >= smallShare);
  }

  victim(tier: i32, exclude: i32): i32 {
    const smallList = 2 * tier + SMALL;
    const mainList = 2 * tier + MAIN;
    // Pages of main that went round in a row because they may not be evicted (`exclude`, a block
    // pool's blocks in use): once every page of main has, the victim comes from small.
    let unevictableRun = 0;
    // With drain_small, the queue chosen first evicts (the small FIFO until it empties).
    let drained = -1;
    // Each pass either returns or moves one page; a page moved to main loses a frequency unit
    // there, so the loop ends after at most ~4 passes over the tier.
    const limit = 8 * unchecked(tierCount[tier]) + 8;
    for (let pass = 0; pass < limit; pass++) {
      if (drained == SMALL && this.queues.isEmpty(smallList)) drained = -1;
      let fromSmall = drained >= 0 ? drained == SMALL : this.smallEvicts(tier);
      if (this.drainSmall) drained = fromSmall ? SMALL : MAIN;
      if (unevictableRun > 0 && !fromSmall && unevictableRun >= unchecked(this.mainCount[tier])) fromSmall = !this.queues.isEmpty(smallList);
      const list = fromSmall ? smallList : mainList;
      const page = this.queues.first(list);
      if (page < 0) return -1;
      const free = evictable(page, exclude);
      if (fromSmall) {
        if (unchecked(this.freq[page]) >= this.threshold || !free) {
          this.onLeave(page, tier);
          unchecked(this.freq[page] = 0);
          this.enqueue(tier, MAIN, page);
          continue;
        }
        // Remember it: a quick return proves it was worth keeping.
        this.remember(page, tier);
        return page;
      }
      if (unchecked(this.freq[page]) > 0 || !free) {
        if (unchecked(this.freq[page]) > 0) unchecked(this.freq[page] = this.freq[page] - 1);
        unevictableRun = free ? 0 : unevictableRun + 1;
        this.queues.remove(list, page);
        this.queues.append(list, page);
        continue;
      }
      return page;
    }
    return -1;
  }
}
