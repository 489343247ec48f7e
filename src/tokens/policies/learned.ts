import { KvsimInputError } from "../../errors.js";
import { POSITION_FEATURES, tokenFeatures } from "../learned/features.js";
import { foldLinear } from "../learned/score-kernel.js";
import { LinearScoringKernel } from "../../wasm/tokens.js";
import { mlpForward, mlpLayout, mlpShapeOf } from "../learned/mlp.js";
import { scoreTokens } from "../learned/scorer.js";
import { scorerFor, type LearnedWeights } from "../learned/weights.js";
import { FORCE, type TokenPolicy } from "./policy.js";

const KEEP_FIRST = 4;
const KEEP_LAST = 16;

/**
 * KVP-lite (after Moschella et al., "Learning to Evict from Key-Value Cache", arXiv:2602.10238):
 * a per-head scorer of each token's key, value and position, trained offline on the all-budget
 * ranking reward (`kvsim tokens train`). As in the paper, the first 4 and last 16 tokens are
 * always kept.
 */
let kernel: LinearScoringKernel | undefined;

function consecutive(positions: Int32Array, count: number): boolean {
  for (let i = 1; i < count; i++) if (positions[i] !== positions[0]! + i) return false;
  return true;
}

export function learnedPolicy(weights: LearnedWeights): TokenPolicy {
  return {
    name: "learned", attention: false, source: "arXiv:2602.10238 (KVP), scaled down: kvsim tokens train",
    summary: "a trained per-head scorer of key, value and position (needs --weights)",
    score({ view, layer, head }) {
      const scorer = scorerFor(weights, layer, head);
      const headDim = "kind" in scorer ? scorer.headDim : (scorer.mean.length - POSITION_FEATURES) / 2;
      if (headDim !== view.headDim) throw new KvsimInputError(`the learned weights expect head dim ${headDim}; this trace has ${view.headDim}`);
      let s: Float64Array;
      if ("kind" in scorer) {
        s = new Float64Array(view.context);
        mlpForward(mlpLayout(mlpShapeOf(scorer)), Float64Array.from(scorer.params), tokenFeatures(view).data, view.context, s);
      } else if (scorer.hidden === 0 && consecutive(view.positions, view.context)) {
        // Linear scorers run in the WASM SIMD kernel, which advances positions one by one.
        const d = view.headDim;
        kernel ??= new LinearScoringKernel();
        kernel.load(view.keys.subarray(0, view.context * d), view.values.subarray(0, view.context * d), d);
        s = Float64Array.from(kernel.score(foldLinear(scorer), view.positions[0]));
      } else {
        const { data, width } = tokenFeatures(view);
        s = new Float64Array(view.context);
        scoreTokens(data, width, scorer.mean, scorer.std, scorer.hidden, scorer.params, s);
      }
      for (let i = 0; i < Math.min(KEEP_FIRST, s.length); i++) s[i] = FORCE + 2 * s.length - i;
      for (let i = Math.max(0, s.length - KEEP_LAST); i < s.length; i++) s[i] = FORCE + i;
      return s;
    },
  };
}
