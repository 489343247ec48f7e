/**
 * SplitMix64: a tiny, well-mixed, seedable generator. Every random choice in the engine
 * (random eviction, sampled victims) draws from here so that a run is a pure function of its seed.
 */
let rngState: u64 = 0x9e3779b97f4a7c15;

export function seedRng(seed: u64): void {
  rngState = seed ^ 0x5851f42d4c957f2d;
}

export function nextU64(): u64 {
  rngState += 0x9e3779b97f4a7c15;
  let z = rngState;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

/** Uniform integer in [0, n) by Lemire's multiply-shift (bias < 2^-32 for n < 2^32). */
export function below(n: i32): i32 {
  return <i32>(((nextU64() >> 32) * <u64>n) >> 32);
}
