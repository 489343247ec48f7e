import { Policy, PolicyHints } from "./policy";
import { PolicyEntry } from "./entry";
import { ScoredPolicy, Find, findVictim } from "./scored";
import { numPages, profile, PROFILE_KHL } from "../hierarchy/state";
import { filledI32 } from "../util/arrays";
import { AccessCounts, countsAhead } from "./access-counts";

/** Successor slots per page in the khl profile: exact for any page with at most this many. */
function khlSlots(): i32 {
  return min(numPages, max(8, (1 << 24) / max(numPages, 1)));
}

/** Exact lanes for counts 0 .. LANES - 1, as heavy_hitter's (same score shape). */
const LANES: i32 = 32;

@unmanaged class PredictiveParams {
  min_confidence: f64;
  max_prefetches: f64;
  successor_slots: f64;
}

export function predictive(): PolicyEntry {
  return new PolicyEntry("predictive", "Markov successor prefetcher; evicts by freq × 100 + last", "kv-hierarchy-lab PredictivePrefetchPolicy; Space-Saving counters (Metwally et al. 2005)")
    .integer("min_confidence", 2, "a successor must have been seen this many times to be prefetched")
    .integer("max_prefetches", 2, "successors proposed per access", 0, 256)
    .integer("successor_slots", 8, "kvsim profile: successor counters kept per page (exact up to this many; allocated for every page)", 1, 256)
    .victimSearch("exact lanes for counts 0-31, O(1); lazy min-heap for the rest, O(log n)")
    .creates<PredictiveParams>((params: usize): Policy => new PredictivePolicy(changetype<PredictiveParams>(params)));
}

/**
 * First-order Markov prefetcher with frequency/recency eviction. kv-hierarchy-lab's
 * `PredictivePrefetchPolicy`: it counts page→next-page transitions and, after each access,
 * proposes the `max_prefetches` most frequent successors (ties: first recorded first), keeping
 * those seen at least `min_confidence` times. Eviction score = freq × 100 + last step (heap in the
 * kvsim profile: it changes only on the page's own access).
 *
 * Transition counts live in `successor_slots` slots per page, maintained as Space-Saving
 * counters (Metwally et al., 2005): exact while a page has no more distinct successors than
 * slots, bounded memory otherwise. The khl profile sizes the slots so every kv-hierarchy-lab
 * trace is counted exactly. Only `prefetch` reads the counts, so with prefetch off they are
 * neither kept nor allocated: the victims are the same, and the per-access update (a cold line of
 * a table 12 × slots bytes per page) was most of the policy's cost.
 */
export class PredictivePolicy extends ScoredPolicy {
  minConfidence: i32;
  maxPrefetches: i32;
  slots: i32;
  slotPage: StaticArray<i32> = new StaticArray<i32>(0);
  slotCount: StaticArray<i32> = new StaticArray<i32>(0);
  slotFirst: StaticArray<i32> = new StaticArray<i32>(0); // order of first recording, for Counter.most_common ties
  counting: bool = false;
  recorded: i32 = 0;
  lastPage: i32 = -1;
  accesses!: AccessCounts; // set after super(), where the lanes it may live in are made

  constructor(params: PredictiveParams) {
    super({ index: Find.heap, lanes: LANES });
    this.minConfidence = <i32>params.min_confidence;
    this.maxPrefetches = <i32>params.max_prefetches;
    const slots = profile == PROFILE_KHL ? khlSlots() : max(1, <i32>params.successor_slots);
    this.slots = slots;
    this.accesses = this.countsBesideLanes();
  }

  hints(): PolicyHints {
    return countsAhead(super.hints(), this.accesses);
  }

  onStart(enabled: bool): void {
    this.counting = enabled;
    if (!enabled) return;
    const total = numPages * this.slots;
    this.slotPage = filledI32(total, -1);
    this.slotCount = new StaticArray<i32>(total);
    this.slotFirst = new StaticArray<i32>(total);
  }

  victim(tier: i32, exclude: i32): i32 {
    return findVictim<PredictivePolicy>(this, tier, exclude);
  }

  score(page: i32): f64 {
    return <f64>this.accesses.count(page) * 100.0 + <f64>this.accesses.last(page);
  }

  laneOf(page: i32): i32 {
    const count = this.accesses.count(page);
    return count < LANES ? count : -1;
  }

  onAccess(page: i32, hitTier: i32): void {
    // Only the transition counts read the last page: with prefetch off, no store per access.
    if (this.counting) {
      if (this.lastPage >= 0) this.countTransition(this.lastPage, page);
      this.lastPage = page;
    }
    this.accesses.record(page); // both rise: the heap catches up lazily, a lane page moves
    // A page found below tier 0 leaves its tier before any victim is sought (kvsim; khl has no lanes).
    if (hitTier == 0) this.rescore(page);
  }

  private countTransition(from: i32, to: i32): void {
    const base = from * this.slots;
    let weakest = base;
    for (let i = base; i < base + this.slots; i++) {
      const p = unchecked(this.slotPage[i]);
      if (p == to) {
        unchecked(this.slotCount[i] = this.slotCount[i] + 1);
        return;
      }
      if (p < 0) {
        this.fill(i, to, 1);
        return;
      }
      if (unchecked(this.slotCount[i]) < unchecked(this.slotCount[weakest])) weakest = i;
    }
    // Space-Saving: the new successor inherits the weakest count, plus one.
    this.fill(weakest, to, unchecked(this.slotCount[weakest]) + 1);
  }

  private fill(slot: i32, to: i32, count: i32): void {
    unchecked(this.slotPage[slot] = to);
    unchecked(this.slotCount[slot] = count);
    unchecked(this.slotFirst[slot] = this.recorded++);
  }

  @inline private ranksAbove(a: i32, b: i32): bool {
    const ca = unchecked(this.slotCount[a]);
    const cb = unchecked(this.slotCount[b]);
    return ca > cb || (ca == cb && unchecked(this.slotFirst[a]) < unchecked(this.slotFirst[b]));
  }

  prefetch(page: i32, out: StaticArray<i32>): i32 {
    const base = page * this.slots;
    const want = min(this.maxPrefetches, out.length);
    let n = 0;
    // Partial selection of the top `want` slots, in rank order.
    for (let i = base; i < base + this.slots; i++) {
      if (unchecked(this.slotPage[i]) < 0) break;
      let j: i32;
      if (n < want) j = n++;
      else if (this.ranksAbove(i, unchecked(out[want - 1]))) j = want - 1;
      else continue;
      while (j > 0 && this.ranksAbove(i, unchecked(out[j - 1]))) {
        unchecked(out[j] = out[j - 1]);
        j--;
      }
      unchecked(out[j] = i);
    }
    // The confidence filter applies after the cut, as in kv-hierarchy-lab.
    let kept = 0;
    for (let k = 0; k < n; k++) {
      const slot = unchecked(out[k]);
      if (unchecked(this.slotCount[slot]) >= this.minConfidence) unchecked(out[kept++] = this.slotPage[slot]);
    }
    return kept;
  }
}
