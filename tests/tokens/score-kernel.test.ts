import { describe, expect, it } from "vitest";
import { tsScoreLinear, tsSelectTopK } from "../../bench/ts-token-score.js";
import { tokenFeatures } from "../../src/tokens/learned/features.js";
import { foldLinear } from "../../src/tokens/learned/score-kernel.js";
import { LinearScoringKernel } from "../../src/wasm/tokens.js";
import { scoreTokens, type HeadScorer } from "../../src/tokens/learned/scorer.js";
import { rankByScore } from "../../src/tokens/ranking.js";
import { Xoshiro128 } from "../../src/tokens/rng.js";
import type { HeadView } from "../../src/tokens/trace.js";

describe("the WASM linear scoring + top-k kernel", () => {
  const t = 3000;
  const d = 20; // not a multiple of 8: exercises the scalar tail of the SIMD dot product
  const rng = new Xoshiro128(99);
  const keys = Float32Array.from({ length: t * d }, () => rng.normal());
  const values = Float32Array.from({ length: t * d }, () => rng.normal());
  const width = 2 * d + 16;
  const scorer: HeadScorer = {
    mean: Array.from({ length: width }, () => rng.normal() * 0.1), std: Array.from({ length: width }, () => 0.5 + rng.uniform()),
    hidden: 0, params: Array.from({ length: width }, () => rng.normal()),
  };
  const kernel = new LinearScoringKernel();
  kernel.load(keys, values, d);
  const wasm = Float64Array.from(kernel.score(foldLinear(scorer)));

  it("scores like the standardized feature scorer (positions by rotation included)", () => {
    const view = { context: t, headDim: d, keys, values, positions: Int32Array.from({ length: t }, (_, i) => i) } as unknown as HeadView;
    const { data } = tokenFeatures(view);
    const reference = new Float64Array(t);
    scoreTokens(data, width, scorer.mean, scorer.std, 0, scorer.params, reference);
    for (let i = 0; i < t; i++) expect(Math.abs(wasm[i]! - reference[i]!)).toBeLessThan(1e-3 * (1 + Math.abs(reference[i]!)));
  });

  it("selects exactly the top k of a full sort, as the TypeScript kernel does", () => {
    const positions = Int32Array.from({ length: t }, (_, i) => i);
    const sorted = rankByScore(wasm, positions).order;
    const tsScores = new Float64Array(t);
    tsScoreLinear(keys, values, d, foldLinear(scorer), 0, tsScores);
    const order = new Int32Array(t);
    for (const k of [1, 7, 150, 1500, 2999, 3000]) {
      const want = [...sorted.subarray(0, k)].sort((a, b) => a - b);
      expect([...kernel.topK(k)].sort((a, b) => a - b), `k = ${k}`).toEqual(want);
      tsSelectTopK(wasm, order, k);
      expect([...order.subarray(0, k)].sort((a, b) => a - b)).toEqual(want);
    }
    for (let i = 0; i < t; i++) expect(Math.abs(tsScores[i]! - wasm[i]!)).toBeLessThan(1e-3 * (1 + Math.abs(wasm[i]!)));
  });

  it("breaks ties toward the larger position", () => {
    const flat = new LinearScoringKernel();
    flat.load(new Float32Array(10 * 8), new Float32Array(10 * 8), 8);
    flat.score(new Float32Array(2 * 8 + 17)); // all scores 0
    expect([...flat.topK(3)].sort((a, b) => a - b)).toEqual([7, 8, 9]);
  });
});
