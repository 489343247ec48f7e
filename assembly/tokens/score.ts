/**
 * The learned linear scorer and top-k selection for one head, in WASM (docs/tokens.md):
 * score_i = wk·k_i + wv·v_i + Σ_f (ws_f·sin(p_i·ω_f) + wc_f·cos(p_i·ω_f)) + b, with the
 * feature standardization already folded into the weights. Dot products use f32x4 SIMD; the
 * position sinusoids advance by rotation (tokens are consecutive positions), so no sin/cos per
 * token (the eight frequencies rotate in f64x2 registers). Top-k is a quickselect on
 * (score, position) over an index array: O(T) per budget.
 */
import { dotF32 } from "../util/simd-dot";

let keys = new StaticArray<f32>(0);
let values = new StaticArray<f32>(0);
let weights = new StaticArray<f32>(0);
let scores = new StaticArray<f64>(0);
let order = new StaticArray<i32>(0);
let headDim: i32 = 0;
const POSITION_FEATURES: i32 = 16;

export function setupScoring(count: i32, d: i32): void {
  keys = new StaticArray<f32>(count * d);
  values = new StaticArray<f32>(count * d);
  // wk [d], wv [d], then (ws, wc) per frequency, then the bias.
  weights = new StaticArray<f32>(2 * d + POSITION_FEATURES + 1);
  scores = new StaticArray<f64>(count);
  order = new StaticArray<i32>(count);
  headDim = d;
}

export function scoringKeys(): usize { return changetype<usize>(keys); }
export function scoringValues(): usize { return changetype<usize>(values); }
export function scoringWeights(): usize { return changetype<usize>(weights); }
export function scoringScores(): usize { return changetype<usize>(scores); }
export function scoringOrder(): usize { return changetype<usize>(order); }

@inline function pair(a: f64, b: f64): v128 {
  return f64x2.replace_lane(f64x2.splat(a), 1, b);
}

/** Frequency ω_f of position feature pair f (periods 2π·10000^(2f/16)). */
@inline function omega(f: i32): f64 {
  return 1.0 / Math.pow(10000.0, <f64>(2 * f) / <f64>POSITION_FEATURES);
}

@inline function sinWeight(pos: usize, f: i32): f64 {
  return <f64>load<f32>(pos + (<usize>(2 * f) << 2));
}

@inline function cosWeight(pos: usize, f: i32): f64 {
  return <f64>load<f32>(pos + (<usize>(2 * f + 1) << 2));
}

/**
 * Scores tokens at positions first, first + 1, … (count of them). The 8 position frequencies
 * live in four f64x2 registers of sines and four of cosines, rotated one position per token.
 */
export function scoreLinear(count: i32, first: i32): void {
  const d = headDim;
  const w = changetype<usize>(weights);
  const wv = w + (<usize>d << 2);
  const k = changetype<usize>(keys);
  const v = changetype<usize>(values);
  const stride = <usize>d << 2;
  const pos = w + (<usize>(2 * d) << 2);
  const p0 = <f64>first;
  let s0 = pair(Math.sin(p0 * omega(0)), Math.sin(p0 * omega(1)));
  let s1 = pair(Math.sin(p0 * omega(2)), Math.sin(p0 * omega(3)));
  let s2 = pair(Math.sin(p0 * omega(4)), Math.sin(p0 * omega(5)));
  let s3 = pair(Math.sin(p0 * omega(6)), Math.sin(p0 * omega(7)));
  let c0 = pair(Math.cos(p0 * omega(0)), Math.cos(p0 * omega(1)));
  let c1 = pair(Math.cos(p0 * omega(2)), Math.cos(p0 * omega(3)));
  let c2 = pair(Math.cos(p0 * omega(4)), Math.cos(p0 * omega(5)));
  let c3 = pair(Math.cos(p0 * omega(6)), Math.cos(p0 * omega(7)));
  const rs0 = pair(Math.sin(omega(0)), Math.sin(omega(1))), rc0 = pair(Math.cos(omega(0)), Math.cos(omega(1)));
  const rs1 = pair(Math.sin(omega(2)), Math.sin(omega(3))), rc1 = pair(Math.cos(omega(2)), Math.cos(omega(3)));
  const rs2 = pair(Math.sin(omega(4)), Math.sin(omega(5))), rc2 = pair(Math.cos(omega(4)), Math.cos(omega(5)));
  const rs3 = pair(Math.sin(omega(6)), Math.sin(omega(7))), rc3 = pair(Math.cos(omega(6)), Math.cos(omega(7)));
  const ws0 = pair(sinWeight(pos, 0), sinWeight(pos, 1)), ws1 = pair(sinWeight(pos, 2), sinWeight(pos, 3));
  const ws2 = pair(sinWeight(pos, 4), sinWeight(pos, 5)), ws3 = pair(sinWeight(pos, 6), sinWeight(pos, 7));
  const wc0 = pair(cosWeight(pos, 0), cosWeight(pos, 1)), wc1 = pair(cosWeight(pos, 2), cosWeight(pos, 3));
  const wc2 = pair(cosWeight(pos, 4), cosWeight(pos, 5)), wc3 = pair(cosWeight(pos, 6), cosWeight(pos, 7));
  const bias = <f64>load<f32>(pos + (<usize>POSITION_FEATURES << 2));
  for (let i = 0; i < count; i++) {
    let acc = f64x2.add(f64x2.add(f64x2.mul(ws0, s0), f64x2.mul(wc0, c0)), f64x2.add(f64x2.mul(ws1, s1), f64x2.mul(wc1, c1)));
    acc = f64x2.add(acc, f64x2.add(f64x2.add(f64x2.mul(ws2, s2), f64x2.mul(wc2, c2)), f64x2.add(f64x2.mul(ws3, s3), f64x2.mul(wc3, c3))));
    unchecked(scores[i] = <f64>dotF32(w, k + <usize>i * stride, d) + <f64>dotF32(wv, v + <usize>i * stride, d) + bias +
      f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1));
    // Rotate every frequency to the next position: (s, c) ← (s·cos ω + c·sin ω, c·cos ω − s·sin ω).
    let t = s0;
    s0 = f64x2.add(f64x2.mul(s0, rc0), f64x2.mul(c0, rs0));
    c0 = f64x2.sub(f64x2.mul(c0, rc0), f64x2.mul(t, rs0));
    t = s1;
    s1 = f64x2.add(f64x2.mul(s1, rc1), f64x2.mul(c1, rs1));
    c1 = f64x2.sub(f64x2.mul(c1, rc1), f64x2.mul(t, rs1));
    t = s2;
    s2 = f64x2.add(f64x2.mul(s2, rc2), f64x2.mul(c2, rs2));
    c2 = f64x2.sub(f64x2.mul(c2, rc2), f64x2.mul(t, rs2));
    t = s3;
    s3 = f64x2.add(f64x2.mul(s3, rc3), f64x2.mul(c3, rs3));
    c3 = f64x2.sub(f64x2.mul(c3, rc3), f64x2.mul(t, rs3));
  }
}

/** a ranks before b: higher score, ties to the larger position. */
@inline function before(a: i32, b: i32): bool {
  const sa = unchecked(scores[a]);
  const sb = unchecked(scores[b]);
  return sa > sb || (sa == sb && a > b);
}

/**
 * Puts the k best tokens (by `before`) in order[0..k) (in no particular order) by quickselect
 * with a median-of-three pivot; the rest follow.
 */
export function selectTopK(count: i32, k: i32): void {
  for (let i = 0; i < count; i++) unchecked(order[i] = i);
  let lo = 0;
  let hi = count - 1;
  while (lo < hi && k > lo && k <= hi) {
    const mid = lo + ((hi - lo) >> 1);
    let a = unchecked(order[lo]), b = unchecked(order[mid]), c = unchecked(order[hi]);
    // median of three as the pivot
    let pivot = b;
    if (before(a, b) != before(a, c)) pivot = a;
    else if (before(b, a) != before(b, c)) pivot = b;
    else pivot = c;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (before(unchecked(order[i]), pivot)) i++;
      while (before(pivot, unchecked(order[j]))) j--;
      if (i <= j) {
        const t = unchecked(order[i]);
        unchecked(order[i] = order[j]);
        unchecked(order[j] = t);
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
}
