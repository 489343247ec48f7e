/**
 * Attention rows for token-level eviction: the softmax of one query against the keys [0, t] of
 * one head, with kvsim's linear capped position bias. Keys are copied in once per head; each call
 * crosses the boundary once for a whole row. Dot products use f32x4 SIMD with two accumulators
 * (docs/tokens.md); the softmax runs in f64.
 */
import { dotF32 } from "../util/simd-dot";

let keys = new StaticArray<f32>(0);
let query = new StaticArray<f32>(0);
let row = new StaticArray<f64>(0);
let headDim: i32 = 0;

/** Sizes the buffers for `total` keys of dimension `d` (allocates in the arena). */
export function setupAttention(total: i32, d: i32): void {
  keys = new StaticArray<f32>(total * d);
  query = new StaticArray<f32>(d);
  row = new StaticArray<f64>(total);
  headDim = d;
}

export function attentionKeys(): usize {
  return changetype<usize>(keys);
}

export function attentionQuery(): usize {
  return changetype<usize>(query);
}

export function attentionRowBuffer(): usize {
  return changetype<usize>(row);
}

/** Fills the row buffer with softmax_i(q·k_i·scale − slope·min(t − i, cap)) for i ≤ t. */
export function softmaxRow(t: i32, scale: f64, slope: f64, cap: i32): void {
  const d = headDim;
  const q = changetype<usize>(query);
  const k = changetype<usize>(keys);
  const stride = <usize>d << 2;
  let max = -Infinity;
  for (let i = 0; i <= t; i++) {
    const logit = <f64>dotF32(q, k + <usize>i * stride, d) * scale - slope * <f64>min(t - i, cap);
    unchecked(row[i] = logit);
    if (logit > max) max = logit;
  }
  let sum = 0.0;
  for (let i = 0; i <= t; i++) {
    const e = Math.exp(unchecked(row[i]) - max);
    unchecked(row[i] = e);
    sum += e;
  }
  const inv = 1.0 / sum;
  for (let i = 0; i <= t; i++) unchecked(row[i] = row[i] * inv);
}
