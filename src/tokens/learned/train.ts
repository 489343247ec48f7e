import { allBudgetCost, rankByScore } from "../ranking.js";
import type { TokenTrace } from "../trace.js";
import { drawTokens, headSamples, headTrainingRng, type HeadSample, type TrainingCost } from "./head-data.js";
import { parameterCount, scoreTokens, type HeadScorer } from "./scorer.js";

export interface TrainHeadOptions {
  traces: readonly TokenTrace[];
  layer: number;
  head: number;
  hidden?: number;
  iterations?: number;
  /** Antithetic pairs per iteration (population = 2 × pairs). */
  pairs?: number;
  sigma?: number;
  learningRate?: number;
  /** Tokens sampled per trace for each iteration's fitness (the same sample for the whole population). */
  sampleTokens?: number;
  seed?: number;
  onIteration?: (iteration: number, fitness: number) => void;
}

/** A sample with its oracle cost, computed once per iteration (it does not depend on the parameters). */
interface ScoredSample extends HeadSample {
  oracleCost: number;
}

/**
 * Fitness of a parameter vector: KVP's all-budget score C(σ*)/C(σ) of the ranking it induces,
 * averaged over the samples (token subsets of the training traces).
 */
function fitness(samples: ScoredSample[], scorer: HeadScorer, params: Float64Array, scores: Float64Array[], cost: TrainingCost): number {
  let sum = 0;
  samples.forEach((s, k) => {
    cost.rankings++;
    cost.tokenForwards += s.utility.length;
    const out = scores[k]!;
    scoreTokens(s.features, s.width, scorer.mean, scorer.std, scorer.hidden, params, out);
    const mine = allBudgetCost(rankByScore(out, s.positions).order, s.utility).full;
    sum += mine > 0 ? s.oracleCost / mine : 1;
  });
  return sum / samples.length;
}

/**
 * Trains one (layer, KV head) scorer by evolution strategies (OpenAI-ES with antithetic pairs and
 * centred-rank fitness shaping) on the all-budget ranking reward. Deterministic in `seed`.
 */
export function trainHead(options: TrainHeadOptions): { scorer: HeadScorer; curve: number[]; cost: TrainingCost } {
  const hidden = options.hidden ?? 0;
  const iterations = options.iterations ?? 120;
  const pairs = options.pairs ?? 12;
  const sigma = options.sigma ?? 0.05;
  const lr = options.learningRate ?? 0.05;
  const sampleTokens = options.sampleTokens ?? 1024;
  const rng = headTrainingRng(options.seed ?? 1, options.layer, options.head);
  const full = headSamples(options.traces, options.layer, options.head);
  const width = full[0]!.width;
  // Standardize features with statistics of all training tokens.
  const mean = new Array<number>(width).fill(0);
  const std = new Array<number>(width).fill(0);
  let count = 0;
  for (const s of full) {
    for (let i = 0; i < s.utility.length; i++) for (let c = 0; c < width; c++) mean[c]! += s.features[i * width + c]!;
    count += s.utility.length;
  }
  for (let c = 0; c < width; c++) mean[c]! /= count;
  for (const s of full) for (let i = 0; i < s.utility.length; i++) for (let c = 0; c < width; c++) std[c]! += (s.features[i * width + c]! - mean[c]!) ** 2;
  for (let c = 0; c < width; c++) std[c] = Math.sqrt(std[c]! / count) || 1;
  const n = parameterCount(width, hidden);
  const theta = new Float64Array(n);
  for (let i = 0; i < hidden * width + hidden * 2; i++) theta[i] = 0.1 * rng.normal();
  const scorer: HeadScorer = { mean, std, hidden, params: [] };
  const curve: number[] = [];
  const cost: TrainingCost = { rankings: 0, tokenForwards: 0 };
  const eps = new Float64Array(n);
  const trial = new Float64Array(n);
  for (let it = 0; it < iterations; it++) {
    // The same token subsets for every member of this iteration's population (common random numbers).
    const samples: ScoredSample[] = full.map((s) => {
      const drawn = drawTokens(s, sampleTokens, rng);
      return { ...drawn, oracleCost: allBudgetCost(rankByScore(drawn.utility, drawn.positions).order, drawn.utility).full };
    });
    const scores = samples.map((s) => new Float64Array(s.utility.length));
    const noises: Float64Array[] = [];
    const results: number[] = [];
    for (let p = 0; p < pairs; p++) {
      for (let i = 0; i < n; i++) eps[i] = rng.normal();
      noises.push(Float64Array.from(eps));
      for (const sign of [1, -1]) {
        for (let i = 0; i < n; i++) trial[i] = theta[i]! + sign * sigma * eps[i]!;
        results.push(fitness(samples, scorer, trial, scores, cost));
      }
    }
    // Centred ranks in [−0.5, 0.5].
    const order = results.map((_, i) => i).sort((a, b) => results[a]! - results[b]!);
    const shaped = new Array<number>(results.length);
    order.forEach((idx, rank) => (shaped[idx] = rank / (results.length - 1) - 0.5));
    for (let p = 0; p < pairs; p++) {
      const w = shaped[2 * p]! - shaped[2 * p + 1]!;
      const e = noises[p]!;
      for (let i = 0; i < n; i++) theta[i]! += (lr / (2 * pairs * sigma)) * w * e[i]!;
    }
    const f = fitness(samples, scorer, theta, scores, cost);
    curve.push(f);
    options.onIteration?.(it, f);
  }
  scorer.params = Array.from(theta);
  return { scorer, curve, cost };
}
