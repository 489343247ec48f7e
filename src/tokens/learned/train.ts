import { Xoshiro128, splitmix32 } from "../rng.js";
import { allBudgetCost, rankByScore } from "../ranking.js";
import { headView, type TokenTrace } from "../trace.js";
import { tokenFeatures } from "./features.js";
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

interface Sample {
  features: Float32Array;
  width: number;
  utility: Float64Array;
  positions: Int32Array;
}

/** A sample with its oracle cost, computed once per iteration (it does not depend on the parameters). */
interface ScoredSample extends Sample {
  oracleCost: number;
}

/**
 * Fitness of a parameter vector: KVP's all-budget score C(σ*)/C(σ) of the ranking it induces,
 * averaged over the samples (token subsets of the training traces).
 */
function fitness(samples: ScoredSample[], scorer: HeadScorer, params: Float64Array, scores: Float64Array[]): number {
  let sum = 0;
  samples.forEach((s, k) => {
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
export function trainHead(options: TrainHeadOptions): { scorer: HeadScorer; curve: number[] } {
  const hidden = options.hidden ?? 0;
  const iterations = options.iterations ?? 120;
  const pairs = options.pairs ?? 12;
  const sigma = options.sigma ?? 0.05;
  const lr = options.learningRate ?? 0.05;
  const sampleTokens = options.sampleTokens ?? 1024;
  const rng = new Xoshiro128(splitmix32((options.seed ?? 1) ^ Math.imul(options.head + 1, 0x9e3779b9) ^ options.layer));
  const full = options.traces.map((trace) => {
    const view = headView(trace, options.layer, options.head);
    const { data, width } = tokenFeatures(view);
    const t = view.context;
    const base = (options.layer * trace.header.model.kvHeads + options.head) * t;
    return { features: data, width, utility: Float64Array.from(trace.utilitySum.subarray(base, base + t)), positions: view.positions.subarray(0, t) };
  });
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
  const eps = new Float64Array(n);
  const trial = new Float64Array(n);
  for (let it = 0; it < iterations; it++) {
    // The same token subsets for every member of this iteration's population (common random numbers).
    const samples: ScoredSample[] = full.map((s) => {
      const t = s.utility.length;
      const k = Math.min(sampleTokens, t);
      const pick = Int32Array.from({ length: t }, (_, i) => i);
      for (let i = 0; i < k; i++) {
        const j = i + Math.floor(rng.uniform() * (t - i));
        [pick[i], pick[j]] = [pick[j]!, pick[i]!];
      }
      const idx = pick.subarray(0, k).sort();
      const features = new Float32Array(k * width);
      idx.forEach((src, dst) => features.set(s.features.subarray(src * width, (src + 1) * width), dst * width));
      const utility = Float64Array.from(idx, (i) => s.utility[i]!);
      const positions = Int32Array.from(idx, (i) => s.positions[i]!);
      return { features, width, utility, positions, oracleCost: allBudgetCost(rankByScore(utility, positions).order, utility).full };
    });
    const scores = samples.map((s) => new Float64Array(s.utility.length));
    const noises: Float64Array[] = [];
    const results: number[] = [];
    for (let p = 0; p < pairs; p++) {
      for (let i = 0; i < n; i++) eps[i] = rng.normal();
      noises.push(Float64Array.from(eps));
      for (const sign of [1, -1]) {
        for (let i = 0; i < n; i++) trial[i] = theta[i]! + sign * sigma * eps[i]!;
        results.push(fitness(samples, scorer, trial, scores));
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
    const f = fitness(samples, scorer, theta, scores);
    curve.push(f);
    options.onIteration?.(it, f);
  }
  scorer.params = Array.from(theta);
  return { scorer, curve };
}
