import { Policy, PolicyHints } from "./policy";
import { PolicyEntry } from "./entry";
import { ScoredPolicy, Find, findVictim } from "./scored";
import { numPages, dropsOnEviction, step } from "../hierarchy/state";

/**
 * Sorted runs per heap: entries of one count arrive in arrival order, so counts 1 .. RUNS - 1 each
 * get a run and higher counts share the last.
 */
const RUNS: i32 = 8;

/** A count's weight in the key of `ties_by_recency`: the access step (below 2^31) breaks ties. */
const COUNT_WEIGHT: f64 = 2147483648.0;

@unmanaged class LfuParams {
  ties_by_recency: f64;
}

export function lfu(): PolicyEntry {
  return new PolicyEntry("lfu", "least frequently used: fewest accesses since the page entered the cache", "libCacheSim LFU.c (in-cache counts; its ties in the libcachesim profile)")
    .integer("ties_by_recency", 0, "among pages of the fewest accesses, evict: 0, the one that entered the tier first; 1, the one that reached its count first (its last access oldest)", 0, 1).inLibCacheSim(1)
    .evictsBlocks()
    .victimSearch("lazy min-heap per tier with sorted runs, O(log n)")
    .creates<LfuParams>((params: usize): Policy => new LfuPolicy(changetype<LfuParams>(params)));
}

/**
 * Least frequently used: evict the page with the fewest accesses since it entered the cache
 * (in-cache LFU, as libCacheSim's `LFU`): its count is forgotten when it is dropped from the
 * cache (evicted from the last tier). The count changes only on the page's own access, so a heap
 * finds the victim in O(log n).
 *
 * Ties go by default to the page that entered the tier first. libCacheSim keeps one FIFO per count,
 * a page moving to the tail of its new count's list on each access, and evicts from the head of the
 * least count's: among equal counts, the page whose last access is oldest (`ties_by_recency`, the
 * key then count × 2^31 + that step; exact while a count stays below 2^22). kvsim's default keeps a
 * page's place among its peers from when it entered, which a block pool, whose steps do not
 * advance, gives too.
 */
export class LfuPolicy extends ScoredPolicy {
  freq: StaticArray<i32>;
  byRecency: bool;
  lastAccess: StaticArray<i32>;

  constructor(params: LfuParams) {
    const byRecency = params.ties_by_recency != 0;
    // A key with the last access grows with time: one sorted run, not one per count.
    super({ index: Find.heap, runs: byRecency ? 1 : RUNS });
    this.freq = new StaticArray<i32>(numPages);
    this.byRecency = byRecency;
    this.lastAccess = new StaticArray<i32>(byRecency ? numPages : 0);
  }

  hints(): PolicyHints {
    const hints = super.hints();
    hints.lookahead = this.freq;
    return hints;
  }

  entryRun(page: i32): i32 {
    return min(max(unchecked(this.freq[page]) - 1, 0), RUNS - 1);
  }

  victim(tier: i32, exclude: i32): i32 {
    return findVictim<LfuPolicy>(this, tier, exclude);
  }

  score(page: i32): f64 {
    const count = <f64>unchecked(this.freq[page]);
    return this.byRecency ? count * COUNT_WEIGHT + <f64>unchecked(this.lastAccess[page]) : count;
  }

  onAccess(page: i32, hitTier: i32): void {
    unchecked(this.freq[page] = this.freq[page] + 1); // a rise: the heap catches up lazily
    if (this.byRecency) unchecked(this.lastAccess[page] = step);
  }

  onEvict(page: i32, tier: i32): void {
    if (dropsOnEviction(tier)) {
      unchecked(this.freq[page] = 0);
      // Still resident only in the khl profile, where a page may sit in two tiers (quirk Q1).
      this.rescore(page);
    }
  }
}
