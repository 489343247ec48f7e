import { ScoredPolicy, FIND_SAMPLE, FIND_SCAN, findVictim } from "./scored";
import { numPages, step, sizeOf } from "../hierarchy/state";
import { AccessCounts } from "./access-counts";

/**
 * Keep what is used often and recently, but prefer evicting large pages:
 * score = (freq_weight·freq + recency_weight·last / max(step, 1)) − size_penalty·size/1024.
 * kv-hierarchy-lab's `CostAwarePolicy` (after GreedyDual-Size, Cao & Irani 1997). The recency
 * term is divided by the current step, so every page's score drifts each access; the kvsim
 * profile therefore takes the minimum over `samples` uniform draws (Redis-style approximated
 * eviction; `samples = 0` scans the whole tier exactly).
 */
export class CostAwarePolicy extends ScoredPolicy {
  sizePenalty: f64;
  freqWeight: f64;
  recencyWeight: f64;
  accesses: AccessCounts;

  constructor(params: StaticArray<f64>) {
    super(FIND_SAMPLE, FIND_SCAN, <i32>params[3]);
    this.sizePenalty = params[0];
    this.freqWeight = params[1];
    this.recencyWeight = params[2];
    this.accesses = new AccessCounts(numPages);
  }

  lookaheadArray(): StaticArray<i32> | null {
    return this.accesses.words;
  }

  lookaheadShift(): i32 {
    return this.accesses.byteShift();
  }

  victim(tier: i32, exclude: i32): i32 {
    return findVictim<CostAwarePolicy>(this, tier, exclude);
  }

  score(page: i32): f64 {
    const freqTerm = this.freqWeight * <f64>this.accesses.count(page);
    const recencyTerm = (this.recencyWeight * <f64>this.accesses.last(page)) / <f64>max(step, 1);
    return (freqTerm + recencyTerm) - this.sizePenalty * (<f64>sizeOf(page) / 1024.0);
  }

  onAccess(page: i32, hitTier: i32): void {
    this.accesses.record(page);
  }
}
