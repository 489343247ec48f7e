/**
 * Counter-based randomness for the agentic environment: every draw is a pure function of
 * (scenario seed, stream, a, b), so what happens to sequence 7 at step 4 never depends on what the
 * agent did to sequence 3 — a rollout's traffic, completions and swap accesses are the same for
 * every policy. 32-bit integer arithmetic only (Math.imul), so Node and browsers agree bit for bit.
 */
import { knuthPoisson } from "../../util/poisson.js";

/** A 32-bit finaliser (murmur3's fmix32). */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A uniform double in [0, 1) named by its coordinates. */
export function uniformAt(seed: number, stream: number, a: number, b: number): number {
  let h = fmix((seed >>> 0) ^ 0x9e3779b9);
  h = fmix(h ^ Math.imul(stream + 1, 0x27d4eb2f));
  h = fmix(h ^ Math.imul(a + 1, 0x165667b1));
  h = fmix(h ^ Math.imul(b + 1, 0x61c88647));
  const hi = fmix(h ^ 0x5bd1e995) >>> 5; // 27 bits
  const lo = h >>> 6; // 26 bits
  return (hi * 67108864 + lo) / 9007199254740992;
}

/** A sequential stream over `uniformAt` (scenario generation draws many values in order). */
export class Draws {
  private n = 0;
  constructor(private readonly seed: number, private readonly stream: number, private readonly key = 0) {}

  uniform(): number {
    return uniformAt(this.seed, this.stream, this.key, this.n++);
  }

  /** Uniform in [lo, hi). */
  between(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.uniform() * (hi - lo + 1));
  }

  /** Index drawn from cumulative-free weights that sum to 1. */
  pick(weights: readonly number[]): number {
    let u = this.uniform();
    for (let i = 0; i < weights.length - 1; i++) {
      u -= weights[i]!;
      if (u < 0) return i;
    }
    return weights.length - 1;
  }

  /** Poisson(lambda), from uniforms in [0, 1). */
  poisson(lambda: number): number {
    return knuthPoisson(lambda, () => this.uniform());
  }
}
