import type { HeadView } from "../../src/tokens/trace.js";

/** A plain TypeScript attention row (f64 dot products), to check the WASM SIMD kernel against. */
export function referenceAttentionRow(view: HeadView, j: number, t: number): Float64Array {
  const d = view.headDim;
  const q = view.queries[j]!;
  const qOff = (t - view.queryStart) * d;
  const out = new Float64Array(t + 1);
  let max = -Infinity;
  for (let i = 0; i <= t; i++) {
    let dot = 0;
    for (let c = 0; c < d; c++) dot += q[qOff + c]! * view.keys[i * d + c]!;
    out[i] = dot * view.softmaxScale - view.biasSlopes[j]! * Math.min(t - i, view.biasCap);
    max = Math.max(max, out[i]!);
  }
  let sum = 0;
  for (let i = 0; i <= t; i++) sum += out[i] = Math.exp(out[i]! - max);
  for (let i = 0; i <= t; i++) out[i]! /= sum;
  return out;
}
