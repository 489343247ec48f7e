import { nextU64, mix, GOLDEN_GAMMA } from "./rng";

/**
 * Uniform draws for sampled evictions, made one eviction ahead per tier. A sampled eviction reads
 * `samples` random member slots of its tier and then each drawn page's records: two rounds of
 * cache misses over a large tier. With the draws known early, an eviction can start the next
 * one's misses (`ScoredPolicy`'s sampledMin touches the next batch's slots and pages), so they
 * overlap the accesses in between.
 *
 * The draws do not depend on when they are made: tier t's k-th sampled eviction uses draws
 * k·samples .. (k + 1)·samples − 1 of tier t's own SplitMix64 stream (seeded from the run's
 * generator), each mapped onto the tier's members as they are at that eviction by Lemire's
 * multiply-shift (`position`), as `below` does.
 */
export class DrawsAhead {
  states: StaticArray<u64>; // per tier, its stream's state
  draws: StaticArray<u32>;  // per tier, two batches of `samples` draws: this eviction's, the next one's
  current: StaticArray<i32>; // per tier, which of its two batches is this eviction's (0 or 1)
  samples: i32;

  constructor(tiers: i32, samples: i32) {
    this.states = new StaticArray<u64>(tiers);
    this.draws = new StaticArray<u32>(tiers * 2 * samples);
    this.current = new StaticArray<i32>(tiers);
    this.samples = samples;
    for (let t = 0; t < tiers; t++) {
      unchecked(this.states[t] = nextU64());
      this.refill(t, 0);
      this.refill(t, 1);
    }
  }

  /** Index in `draws` of the first draw of tier t's coming eviction. */
  @inline first(t: i32): i32 {
    return (t * 2 + unchecked(this.current[t])) * this.samples;
  }

  /** Index in `draws` of the first draw of the eviction after that one. */
  @inline second(t: i32): i32 {
    return (t * 2 + (unchecked(this.current[t]) ^ 1)) * this.samples;
  }

  /** Draw i's member position among n members. */
  @inline position(i: i32, n: i32): i32 {
    return <i32>((<u64>unchecked(this.draws[i]) * <u64>n) >> 32);
  }

  /** Tier t's coming eviction has used its batch: it is refilled and the next batch comes up. */
  advance(t: i32): void {
    const used = unchecked(this.current[t]);
    this.refill(t, used);
    unchecked(this.current[t] = used ^ 1);
  }

  private refill(t: i32, batch: i32): void {
    let state = unchecked(this.states[t]);
    const from = (t * 2 + batch) * this.samples;
    for (let i = from; i < from + this.samples; i++) {
      state += GOLDEN_GAMMA;
      unchecked(this.draws[i] = <u32>(mix(state) >> 32));
    }
    unchecked(this.states[t] = state);
  }
}
