import { Policy, PolicyHints } from "./policy";
import { PolicyEntry } from "./entry";
import { ScoredPolicy, Find, findVictim } from "./scored";
import { numPages, step, pages, PageRecord } from "../hierarchy/state";
import { filledI32 } from "../util/arrays";
import { backSlot } from "../util/node-layout";
import { AccessCounts, countsAhead } from "./access-counts";

@unmanaged class RegretAwareParams {
  regret_horizon: f64;
  regret_weight: f64;
  freq_weight: f64;
  recency_weight: f64;
  decay: f64;
  samples: f64;
}

export function regretAware(): PolicyEntry {
  return new PolicyEntry("regret_aware", "frequency and recency plus decaying regret for evictions soon undone", "kv-hierarchy-lab RegretAwarePolicy")
    .integer("regret_horizon", 24, "a re-access within this many steps of an eviction earns regret", 1)
    .number("regret_weight", 6.0, "weight of accumulated regret")
    .number("freq_weight", 1.5, "weight of access frequency")
    .number("recency_weight", 1.0, "weight of last access step / current step")
    .number("decay", 0.98, "regret multiplier applied on each access")
    .integer("samples", 8, "kvsim profile: victims are the minimum of this many uniform draws from the tier (0 = exact full scan)", 0, 4096)
    .victimSearch("sampled minimum (score drifts with the step), O(samples)")
    .creates<RegretAwareParams>((params: usize): Policy => new RegretAwarePolicy(changetype<RegretAwareParams>(params)));
}

/**
 * Protect pages whose eviction was soon regretted. kv-hierarchy-lab's `RegretAwarePolicy`: a page
 * re-accessed `gap` ≤ regret_horizon steps after leaving a tier earns (horizon − gap + 1)/horizon of
 * regret, which decays by `decay` on each of its accesses; score = freq_weight·freq +
 * recency_weight·last/max(step, 1) + regret_weight·regret. Evictions from any tier count (quirk Q9).
 * The score drifts with the step, so the kvsim profile samples (see cost_aware).
 */
export class RegretAwarePolicy extends ScoredPolicy {
  horizon: i32;
  regretWeight: f64;
  freqWeight: f64;
  recencyWeight: f64;
  decay: f64;
  accesses: AccessCounts;
  /**
   * Per page, the step it last left a tier, -1 once re-accessed. When sampling it is the page
   * records' `back` slot (dense sets use only `link`), so an access reads it from the record the
   * replay touched ahead: kept in an array of its own, as it still is when scanning (the records'
   * links are then the tier order), it was a cache miss on most accesses outside tier 0.
   */
  evictedAt!: StaticArray<i32>;
  evictedAtInRecords: bool = false;

  constructor(params: RegretAwareParams) {
    super({ index: Find.sample, khl: Find.scan, samples: <i32>params.samples });
    this.horizon = <i32>params.regret_horizon;
    this.regretWeight = params.regret_weight;
    this.freqWeight = params.freq_weight;
    this.recencyWeight = params.recency_weight;
    this.decay = params.decay;
    this.accesses = new AccessCounts(numPages, true); // the payload is the page's regret
    this.evictedAtInRecords = this.find == Find.sample;
    if (this.evictedAtInRecords) {
      this.evictedAt = pages;
      for (let p = 0; p < numPages; p++) unchecked(pages[backSlot<PageRecord>(p)] = -1);
    } else {
      this.evictedAt = filledI32(numPages, -1);
    }
    this.touchesDrawsAhead = true; // its 16-byte count records: see the field's doc
  }

  hints(): PolicyHints {
    return countsAhead(super.hints(), this.accesses);
  }

  victim(tier: i32, exclude: i32): i32 {
    return findVictim<RegretAwarePolicy>(this, tier, exclude);
  }

  score(page: i32): f64 {
    const freqTerm = this.freqWeight * <f64>this.accesses.count(page);
    const recencyTerm = (this.recencyWeight * <f64>this.accesses.last(page)) / <f64>max(step, 1);
    return (freqTerm + recencyTerm) + this.regretWeight * this.accesses.payload(page);
  }

  onAccess(page: i32, hitTier: i32): void {
    this.accesses.record(page);
    // An absent regret entry and 0.0 behave identically under decay, so no presence flag is kept.
    let regret = this.accesses.payload(page) * this.decay;
    const slot = this.evictedAtSlot(page);
    const evictedAt = unchecked(this.evictedAt[slot]);
    if (evictedAt >= 0) {
      unchecked(this.evictedAt[slot] = -1);
      const gap = step - evictedAt;
      if (gap <= this.horizon) {
        const earned = <f64>(this.horizon - gap + 1) / <f64>this.horizon;
        regret += earned;
      }
    }
    this.accesses.setPayload(page, regret);
  }

  onEvict(page: i32, tier: i32): void {
    unchecked(this.evictedAt[this.evictedAtSlot(page)] = step);
  }

  @inline private evictedAtSlot(page: i32): i32 {
    return this.evictedAtInRecords ? backSlot<PageRecord>(page) : page;
  }
}
