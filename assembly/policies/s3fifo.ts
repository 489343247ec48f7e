import { Policy, PolicyHints } from "./policy";
import { PolicyEntry } from "./entry";
import { numPages, numTiers, tierCapacity, sizeOf, pages, PageRecord } from "../hierarchy/state";
import { tierCount, evictable } from "../hierarchy/residency";
import { ListPool } from "../util/list-pool";
import { filledI32 } from "../util/arrays";

const SMALL: i32 = 0;
const MAIN: i32 = 1;

@unmanaged class S3FifoParams {
  small_ratio: f64;
}

export function s3fifo(): PolicyEntry {
  return new PolicyEntry("s3fifo", "small FIFO filter + main FIFO with reinsertion + ghost", "Yang et al., S3-FIFO, SOSP 2023; libCacheSim S3FIFO")
    .number("small_ratio", 0.1, "share of each tier's bytes given to the small FIFO", 0, 1)
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
 * holds. The ghost holds about as many entries as the tier holds pages; membership is a per-page
 * stamp against a per-tier counter, so it needs no queue of its own. All operations O(1) amortised.
 */
export class S3FifoPolicy extends Policy {
  smallRatio: f64;
  queues: ListPool<PageRecord>; // list 2·tier + SMALL|MAIN
  queueOf: StaticArray<i8>;
  freq: StaticArray<u8>;
  smallBytes: StaticArray<i64>;
  mainCount: StaticArray<i32>;
  ghostTier: StaticArray<i32>;
  ghostStamp: StaticArray<i64>;
  ghostClock: StaticArray<i64>;

  constructor(params: S3FifoParams) {
    super();
    this.smallRatio = params.small_ratio;
    // The page records' link slots are free (the tier orders go unkept): touching a page's queue
    // links then shares the cache line the engine already loaded. kvsim profile only, so a page
    // sits in at most one queue.
    this.queues = new ListPool<PageRecord>(2 * numTiers, numPages, pages);
    this.queueOf = new StaticArray<i8>(numPages);
    this.freq = new StaticArray<u8>(numPages);
    this.smallBytes = new StaticArray<i64>(numTiers);
    this.mainCount = new StaticArray<i32>(numTiers);
    this.ghostTier = filledI32(numPages, -1);
    this.ghostStamp = new StaticArray<i64>(numPages);
    this.ghostClock = new StaticArray<i64>(numTiers);
  }

  /** The page records' link slots hold this policy's queues (see the constructor). */
  hints(): PolicyHints {
    return { walksTierOrder: false };
  }

  onAccess(page: i32, hitTier: i32): void {
    if (hitTier == 0 && unchecked(this.freq[page]) < 3) unchecked(this.freq[page] = this.freq[page] + 1);
  }

  private inGhost(page: i32, tier: i32): bool {
    if (unchecked(this.ghostTier[page]) != tier) return false;
    // The ghost remembers the last ~(pages the tier holds) small-queue evictions.
    const horizon = max<i64>(16, <i64>unchecked(tierCount[tier]));
    return unchecked(this.ghostClock[tier]) - unchecked(this.ghostStamp[page]) < horizon;
  }

  onEnter(page: i32, tier: i32): void {
    unchecked(this.freq[page] = 0);
    if (this.inGhost(page, tier)) {
      unchecked(this.ghostTier[page] = -1);
      this.enqueue(tier, MAIN, page);
    } else {
      this.enqueue(tier, SMALL, page);
    }
  }

  onLeave(page: i32, tier: i32): void {
    const q = <i32>unchecked(this.queueOf[page]);
    this.queues.remove(2 * tier + q, page);
    if (q == SMALL) unchecked(this.smallBytes[tier] = this.smallBytes[tier] - <i64>sizeOf(page));
    else unchecked(this.mainCount[tier] = this.mainCount[tier] - 1);
  }

  private enqueue(tier: i32, q: i32, page: i32): void {
    unchecked(this.queueOf[page] = <i8>q);
    this.queues.append(2 * tier + q, page);
    if (q == SMALL) unchecked(this.smallBytes[tier] = this.smallBytes[tier] + <i64>sizeOf(page));
    else unchecked(this.mainCount[tier] = this.mainCount[tier] + 1);
  }

  /** A page in use stays in its queue; the victim search moves it on like a hit page. */
  keepsPinnedPages(): bool {
    return true;
  }

  /** The block pool gives the page's id to other content: its ghost entry is not that content's. */
  onForget(page: i32): void {
    unchecked(this.ghostTier[page] = -1);
  }

  victim(tier: i32, exclude: i32): i32 {
    const smallList = 2 * tier + SMALL;
    const mainList = 2 * tier + MAIN;
    const smallTarget = <i64>(<f64>unchecked(tierCapacity[tier]) * this.smallRatio);
    // Pages of main that went round in a row because they may not be evicted (`exclude`, a block
    // pool's blocks in use): once every page of main has, the victim comes from small.
    let unevictableRun = 0;
    // Each pass either returns or moves one page; a page moved to main loses a frequency unit
    // there, so the loop ends after at most ~4 passes over the tier.
    const limit = 8 * unchecked(tierCount[tier]) + 8;
    for (let pass = 0; pass < limit; pass++) {
      let fromSmall = this.queues.isEmpty(mainList) || (!this.queues.isEmpty(smallList) && unchecked(this.smallBytes[tier]) >= smallTarget);
      if (unevictableRun > 0 && !fromSmall && unevictableRun >= unchecked(this.mainCount[tier])) fromSmall = !this.queues.isEmpty(smallList);
      const list = fromSmall ? smallList : mainList;
      const page = this.queues.first(list);
      if (page < 0) return -1;
      const free = evictable(page, exclude);
      if (fromSmall) {
        if (unchecked(this.freq[page]) > 0 || !free) {
          this.onLeave(page, tier);
          unchecked(this.freq[page] = 0);
          this.enqueue(tier, MAIN, page);
          continue;
        }
        // Remember it: a quick return proves it was worth keeping.
        const clock = unchecked(this.ghostClock[tier]);
        unchecked(this.ghostClock[tier] = clock + 1);
        unchecked(this.ghostTier[page] = tier);
        unchecked(this.ghostStamp[page] = clock);
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
