/**
 * `npm run bench:tokens`: the learned scorer's scoring + top-k (10% budget) over 32K tokens × 8
 * heads at head dim 64, one thread: the WASM SIMD kernel against the same kernel in plain
 * TypeScript. Keys and values are already in place (the WASM copy-in is reported apart). Medians
 * of 9 rounds; writes bench/results/tokens.json. Target: < 20 ms and ≥ 2× TypeScript.
 */
import { writeFileSync } from "node:fs";
import { LinearScoringKernel } from "../src/wasm/tokens.js";
import { Xoshiro128 } from "../src/tokens/rng.js";
import { median } from "./median.js";
import { tsScoreLinear, tsSelectTopK } from "./ts-token-score.js";

const T = 32_768;
const HEADS = 8;
const D = 64;
const ROUNDS = 9;
const K = Math.round(0.1 * T);
const rng = new Xoshiro128(2026);
const heads = Array.from({ length: HEADS }, () => ({
  keys: Float32Array.from({ length: T * D }, () => rng.normal()),
  values: Float32Array.from({ length: T * D }, () => rng.normal()),
  weights: Float32Array.from({ length: 2 * D + 17 }, () => rng.normal() * 0.1),
}));

const kernels = heads.map((h) => {
  const k = new LinearScoringKernel();
  k.load(h.keys, h.values, D);
  return k;
});
const copyMs = median(Array.from({ length: ROUNDS }, () => {
  const t0 = performance.now();
  kernels[0]!.load(heads[0]!.keys, heads[0]!.values, D);
  return performance.now() - t0;
}));

function wasmRound(): number {
  const t0 = performance.now();
  let sink = 0;
  heads.forEach((h, i) => {
    kernels[i]!.score(h.weights);
    sink += kernels[i]!.topK(K)[0]!;
  });
  if (sink < 0) throw new Error("unreachable");
  return performance.now() - t0;
}

const scores = new Float64Array(T);
const order = new Int32Array(T);
function tsRound(): number {
  const t0 = performance.now();
  let sink = 0;
  for (const h of heads) {
    tsScoreLinear(h.keys, h.values, D, h.weights, 0, scores);
    tsSelectTopK(scores, order, K);
    sink += order[0]!;
  }
  if (sink < 0) throw new Error("unreachable");
  return performance.now() - t0;
}

wasmRound();
tsRound();
const wasm = median(Array.from({ length: ROUNDS }, wasmRound));
const ts = median(Array.from({ length: ROUNDS }, tsRound));
const out = { date: new Date().toISOString(), node: process.version, tokens: T, heads: HEADS, headDim: D, topK: K, rounds: ROUNDS, wasmMs: wasm, typescriptMs: ts, speedup: ts / wasm, copyInMsPerHead: copyMs };
writeFileSync("bench/results/tokens.json", JSON.stringify(out, null, 2) + "\n");
console.log(`| learned scorer + top-${K}, ${T} tokens × ${HEADS} heads, d = ${D} | ms (median of ${ROUNDS}) |\n|---|---:|`);
console.log(`| WASM SIMD | ${wasm.toFixed(1)} |\n| plain TypeScript, same kernel | ${ts.toFixed(1)} |\n| speed-up | ${(ts / wasm).toFixed(1)}× |\n| copying one head's keys and values into WASM (not included) | ${copyMs.toFixed(1)} |`);
