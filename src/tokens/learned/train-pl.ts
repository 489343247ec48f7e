import { allBudgetCost, rankByScore } from "../ranking.js";
import type { TokenTrace } from "../trace.js";
import { AdamW } from "./adamw.js";
import { drawTokens, headSamples, headTrainingRng, type HeadSample, type TrainingCost } from "./head-data.js";
import { DEFAULT_MLP_SHAPE, initMlpParams, mlpActivations, mlpBackward, mlpForward, mlpLayout, type MlpActivations, type MlpScorer } from "./mlp.js";
import { addPlackettLuceGrad, rlooAdvantages, samplePlackettLuce } from "./plackett-luce.js";

export interface PlTrainOptions {
  traces: readonly TokenTrace[];
  layer: number;
  head: number;
  /** Policy-gradient steps. */
  steps?: number;
  /** K: rankings sampled per training sample (the RLOO group). */
  samples?: number;
  /** Training samples (a trace and a token subset each) per step. */
  batch?: number;
  /** Tokens drawn from a trace's context for one training sample. */
  sampleTokens?: number;
  learningRate?: number;
  minLearningRate?: number;
  warmupSteps?: number;
  weightDecay?: number;
  clipNorm?: number;
  projection?: number;
  positionDim?: number;
  hidden?: number;
  layers?: number;
  seed?: number;
  onStep?: (step: number, score: number) => void;
}

/** The settings a run records; every default of `trainHeadPlRloo`. */
export const PL_DEFAULTS = {
  steps: 400, samples: 16, batch: 2, sampleTokens: 512, learningRate: 3e-3, minLearningRate: 1e-6, warmupSteps: 40,
  weightDecay: 0.01, clipNorm: 5, ...DEFAULT_MLP_SHAPE, seed: 1,
} as const;

/** C(σ*)/C(σ) on one sample: kvsim's all-budget score, 1 = oracle. */
function scoreOf(cost: number, oracleCost: number): number {
  return cost > 0 ? oracleCost / cost : 1;
}

interface Rollout {
  sample: HeadSample;
  act: MlpActivations;
  scores: Float64Array;
  orders: Int32Array[];
  advantages: number[];
}

/**
 * Trains one (layer, KV head) MLP scorer with KV Policy's Algorithm 1 (§3.2): per step, for each
 * of `batch` samples (a uniformly drawn training trace, `sampleTokens` of its context tokens), one
 * forward pass, K rankings drawn from the Plackett–Luce policy by Gumbel-sort, the reward
 * R = −C(σ)/C(σ*) of each, RLOO advantages normalised by their mean and std over the step, and
 * the REINFORCE loss −(1/BK) Σ A·log π(σ) minimised by AdamW. Deterministic in `seed`.
 * Returns the scorer and, per step, the all-budget score C(σ*)/C(σ) of the deterministic ranking
 * (the policy's argmax) on that step's samples.
 */
export function trainHeadPlRloo(options: PlTrainOptions): { scorer: MlpScorer; curve: number[]; cost: TrainingCost } {
  const o = { ...PL_DEFAULTS, ...options };
  if (o.samples < 2) throw new Error("PL-RLOO needs at least 2 samples per group");
  const rng = headTrainingRng(o.seed, o.layer, o.head);
  const full = headSamples(o.traces, o.layer, o.head);
  const headDim = o.traces[0]!.header.model.headDim;
  const shape = { headDim, projection: o.projection, positionDim: o.positionDim, hidden: o.hidden, layers: o.layers };
  const layout = mlpLayout(shape);
  const params = initMlpParams(layout, rng);
  const optimiser = new AdamW(layout.size, {
    learningRate: o.learningRate, minLearningRate: o.minLearningRate, warmupSteps: o.warmupSteps, totalSteps: o.steps,
    weightDecay: o.weightDecay, clipNorm: o.clipNorm,
  });
  const grad = new Float64Array(layout.size);
  const curve: number[] = [];
  // Each forward pass is followed by one backward pass; the greedy ranking of each sample is scored too.
  const cost: TrainingCost = { rankings: 0, tokenForwards: 0 };
  for (let step = 0; step < o.steps; step++) {
    const rollouts: Rollout[] = [];
    let greedy = 0;
    for (let b = 0; b < o.batch; b++) {
      const sample = drawTokens(full[rng.below(full.length)]!, o.sampleTokens, rng);
      const n = sample.utility.length;
      const oracleCost = allBudgetCost(rankByScore(sample.utility, sample.positions).order, sample.utility).full;
      const act = mlpActivations(layout, n);
      const scores = new Float64Array(n);
      mlpForward(layout, params, sample.features, n, scores, act);
      cost.tokenForwards += n;
      cost.rankings += 1 + o.samples;
      greedy += scoreOf(allBudgetCost(rankByScore(scores, sample.positions).order, sample.utility).full, oracleCost);
      const perturbed = new Float64Array(n);
      const orders: Int32Array[] = [];
      const rewards: number[] = [];
      for (let k = 0; k < o.samples; k++) {
        const order = samplePlackettLuce(scores, sample.positions, rng, perturbed);
        orders.push(order);
        rewards.push(oracleCost > 0 ? -allBudgetCost(order, sample.utility).full / oracleCost : 0);
      }
      rollouts.push({ sample, act, scores, orders, advantages: rlooAdvantages(rewards) });
    }
    curve.push(greedy / o.batch);
    o.onStep?.(step, curve.at(-1)!);
    // Advantages normalised over the whole step (KVP Algorithm 1); a step where every sample earned the same reward teaches nothing.
    const all = rollouts.flatMap((r) => r.advantages);
    const mean = all.reduce((a, b) => a + b, 0) / all.length;
    const std = Math.sqrt(all.reduce((a, b) => a + (b - mean) ** 2, 0) / all.length);
    if (!(std > 1e-12)) continue;
    grad.fill(0);
    for (const r of rollouts) {
      const n = r.sample.utility.length;
      const dScores = new Float64Array(n);
      const lse = new Float64Array(n);
      // ∂loss/∂s for loss = −(1/BK) Σ A·log π(σ).
      r.orders.forEach((order, k) => addPlackettLuceGrad(r.scores, order, -((r.advantages[k]! - mean) / std) / all.length, dScores, lse));
      mlpBackward(layout, params, r.sample.features, r.act, dScores, grad);
    }
    optimiser.step(params, grad);
  }
  return { scorer: { kind: "mlp", ...shape, params: Array.from(params) }, curve, cost };
}
