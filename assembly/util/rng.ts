import { LAYERS, layerEdge, layerRatio, prepareZiggurat, TAIL_START } from "./ziggurat";

/**
 * SplitMix64: a tiny, well-mixed, seedable generator. Every random choice in the engine
 * (random eviction, sampled victims) draws from here so that a run is a pure function of its seed.
 */
/** SplitMix64's Weyl increment (2^64 / φ): each draw mixes the state advanced by it. */
@inline export const GOLDEN_GAMMA: u64 = 0x9e3779b97f4a7c15;

let rngState: u64 = GOLDEN_GAMMA;

export function seedRng(seed: u64): void {
  rngState = seed ^ 0x5851f42d4c957f2d;
}

/** SplitMix64's output function. */
@inline export function mix(z: u64): u64 {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

export function nextU64(): u64 {
  rngState += GOLDEN_GAMMA;
  return mix(rngState);
}

/** A uniform double in [0, 1) from the top 53 bits of a draw. */
@inline function unitOf(bits: u64): f64 {
  return <f64>(bits >> 11) * (1.0 / 9007199254740992.0);
}

// A ziggurat draw splits one 64-bit number: the top 53 bits give u in [−1, 1), the low bits
// (disjoint) the layer.
@inline function boxCoordinate(bits: u64): f64 {
  return unitOf(bits) * 2.0 - 1.0; // exact: scaling by powers of two
}

@inline function layerOf(bits: u64): i32 {
  return <i32>(bits & <u64>(LAYERS - 1));
}

/** An independent SplitMix64 stream (for simulations that need several, e.g. traffic attributes). */
export class Stream {
  state: u64;
  // Poisson's exp(−λ), kept while λ repeats (arrival rates are whole numbers that change slowly).
  private poissonLambda: f64 = NaN;
  private poissonLimit: f64 = 0;

  constructor(seed: u64, stream: u64) {
    prepareZiggurat();
    this.state = 0;
    this.reseed(seed, stream);
  }

  /** Restarts the stream: the same (seed, stream) always gives the same sequence. */
  reseed(seed: u64, stream: u64): void {
    this.state = mix(seed ^ mix(stream + 0x632be59bd9b4e019));
  }

  next(): u64 {
    const state = this.state + GOLDEN_GAMMA;
    this.state = state;
    return mix(state);
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): f64 {
    return unitOf(this.next());
  }

  below(n: i32): i32 {
    return <i32>(((this.next() >> 32) * <u64>n) >> 32);
  }

  /** Uniform double in the open interval (0, 1): 53 random bits, centred in their cell. */
  open(): f64 {
    return (<f64>(this.next() >> 11) + 0.5) * (1.0 / 9007199254740992.0);
  }

  /**
   * Normal(mu, sigma) by the ziggurat method (ziggurat.ts); usually one draw from the stream.
   * The box test, which settles about 99% of draws, is inlined at the call site; the rest goes
   * through `outsideBox`, which continues the same sequence of draws.
   */
  @inline normal(mu: f64, sigma: f64): f64 {
    const bits = this.next();
    const u = boxCoordinate(bits);
    const i = layerOf(bits);
    return mu + sigma * (Math.abs(u) < layerRatio(i) ? u * layerEdge(i) : this.outsideBox(u, i));
  }

  /** The draw (u, layer i) fell outside its layer's box: the wedge or tail test, then new draws. */
  private outsideBox(u: f64, i: i32): f64 {
    while (true) {
      if (i == 0) return this.normalTail(u < 0);
      const x = u * layerEdge(i);
      const xi = layerEdge(i);
      const xn = layerEdge(i + 1);
      const f0 = Math.exp(-0.5 * (xi * xi - x * x));
      const f1 = Math.exp(-0.5 * (xn * xn - x * x));
      if (f1 + this.uniform() * (f0 - f1) < 1.0) return x;
      const bits = this.next();
      u = boxCoordinate(bits);
      i = layerOf(bits);
      if (Math.abs(u) < layerRatio(i)) return u * layerEdge(i);
    }
  }

  /** Marsaglia's tail method beyond the base strip's edge R. */
  private normalTail(negative: bool): f64 {
    while (true) {
      const x = Math.log(this.open()) / TAIL_START;
      const y = Math.log(this.open());
      if (-2.0 * y >= x * x) return negative ? x - TAIL_START : TAIL_START - x;
    }
  }

  /** Poisson(lambda): Knuth's product below 30, a rounded normal above. */
  poisson(lambda: f64): i32 {
    if (lambda <= 0) return 0;
    if (lambda >= 30) return max(0, <i32>Math.round(this.normal(lambda, Math.sqrt(lambda))));
    if (lambda != this.poissonLambda) {
      this.poissonLambda = lambda;
      this.poissonLimit = Math.exp(-lambda);
    }
    const limit = this.poissonLimit;
    // The state in a local for the loop: the same draws as uniform(), without a store per draw.
    let state = this.state;
    let k = 0;
    let p = 1.0;
    while (true) {
      state += GOLDEN_GAMMA;
      p *= unitOf(mix(state));
      if (p <= limit) break;
      k++;
    }
    this.state = state;
    return k;
  }
}

/** Uniform integer in [0, n) by Lemire's multiply-shift (bias < 2^-32 for n < 2^32). */
export function below(n: i32): i32 {
  return <i32>(((nextU64() >> 32) * <u64>n) >> 32);
}
