import { Policy, PolicyHints } from "./policy";
import { PolicyEntry, NoParams } from "./entry";
import { ScoredPolicy, Find, findVictim } from "./scored";
import { numPages, dropsOnEviction } from "../hierarchy/state";

/**
 * Sorted runs per heap: entries of one count arrive in arrival order, so counts 1 .. RUNS - 1 each
 * get a run and higher counts share the last.
 */
const RUNS: i32 = 8;

export function lfu(): PolicyEntry {
  return new PolicyEntry("lfu", "least frequently used: fewest accesses since the page entered the cache", "libCacheSim LFU (in-cache counts)")
    .evictsBlocks()
    .victimSearch("lazy min-heap per tier with sorted runs, O(log n)")
    .creates<NoParams>((params: usize): Policy => new LfuPolicy());
}

/**
 * Least frequently used: evict the page with the fewest accesses since it entered the cache
 * (in-cache LFU, as libCacheSim's `LFU`): its count is forgotten when it is dropped from the
 * cache (evicted from the last tier). Ties go to the page that entered the tier first. The count changes only on the page's
 * own access, so a heap finds the victim in O(log n).
 */
export class LfuPolicy extends ScoredPolicy {
  freq: StaticArray<i32>;

  constructor() {
    super({ index: Find.heap, runs: RUNS });
    this.freq = new StaticArray<i32>(numPages);
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
    return <f64>unchecked(this.freq[page]);
  }

  onAccess(page: i32, hitTier: i32): void {
    unchecked(this.freq[page] = this.freq[page] + 1); // a rise: the heap catches up lazily
  }

  onEvict(page: i32, tier: i32): void {
    if (dropsOnEviction(tier)) {
      unchecked(this.freq[page] = 0);
      // Still resident only in the khl profile, where a page may sit in two tiers (quirk Q1).
      this.rescore(page);
    }
  }
}
