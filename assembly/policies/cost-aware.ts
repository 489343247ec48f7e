import { Policy, PolicyHints } from "./policy";
import { PolicyEntry } from "./entry";
import { ScoredPolicy, Find, findVictim } from "./scored";
import { numPages, step, sizeOf } from "../hierarchy/state";
import { AccessCounts, countsAhead } from "./access-counts";

@unmanaged class CostAwareParams {
  size_penalty: f64;
  freq_weight: f64;
  recency_weight: f64;
  samples: f64;
}

export function costAware(): PolicyEntry {
  return new PolicyEntry("cost_aware", "frequency and recency, minus a penalty for large pages", "kv-hierarchy-lab CostAwarePolicy; GreedyDual-Size (Cao & Irani 1997)")
    .number("size_penalty", 0.4, "weight of size/1024 subtracted from the score")
    .number("freq_weight", 2.0, "weight of access frequency")
    .number("recency_weight", 1.0, "weight of last access step / current step")
    .integer("samples", 8, "kvsim profile: victims are the minimum of this many uniform draws from the tier (0 = exact full scan)", 0, 4096)
    .victimSearch("sampled minimum (score drifts with the step), O(samples)")
    .creates<CostAwareParams>((params: usize): Policy => new CostAwarePolicy(changetype<CostAwareParams>(params)));
}

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

  constructor(params: CostAwareParams) {
    super({ index: Find.sample, khl: Find.scan, samples: <i32>params.samples });
    this.sizePenalty = params.size_penalty;
    this.freqWeight = params.freq_weight;
    this.recencyWeight = params.recency_weight;
    this.accesses = new AccessCounts(numPages);
  }

  hints(): PolicyHints {
    return countsAhead(super.hints(), this.accesses);
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
