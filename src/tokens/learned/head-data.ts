import { Xoshiro128, splitmix32 } from "../rng.js";
import { headView, type TokenTrace } from "../trace.js";
import { tokenFeatures } from "./features.js";

/** One training trace's context for one (layer, KV head): features, future utility, positions. */
export interface HeadSample {
  features: Float32Array;
  width: number;
  utility: Float64Array;
  positions: Int32Array;
}

/** What training one head cost: rankings scored by the reward, and token scorings (forward passes of the scorer). */
export interface TrainingCost {
  rankings: number;
  tokenForwards: number;
}

/** The training data of one (layer, KV head): each trace's context tokens. */
export function headSamples(traces: readonly TokenTrace[], layer: number, head: number): HeadSample[] {
  return traces.map((trace) => {
    const view = headView(trace, layer, head);
    const { data, width } = tokenFeatures(view);
    const t = view.context;
    const base = (layer * trace.header.model.kvHeads + head) * t;
    return { features: data, width, utility: Float64Array.from(trace.utilitySum.subarray(base, base + t)), positions: view.positions.subarray(0, t) };
  });
}

/** A head's training randomness: one stream per (seed, layer, head), so heads train independently of each other and of the thread count. */
export function headTrainingRng(seed: number, layer: number, head: number): Xoshiro128 {
  return new Xoshiro128(splitmix32(seed ^ Math.imul(head + 1, 0x9e3779b9) ^ layer));
}

/** `count` tokens of a sample drawn uniformly without replacement, kept in position order. */
export function drawTokens(s: HeadSample, count: number, rng: Xoshiro128): HeadSample {
  const t = s.utility.length;
  const k = Math.min(count, t);
  const pick = Int32Array.from({ length: t }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rng.uniform() * (t - i));
    [pick[i], pick[j]] = [pick[j]!, pick[i]!];
  }
  const idx = pick.subarray(0, k).sort();
  const width = s.width;
  const features = new Float32Array(k * width);
  idx.forEach((src, dst) => features.set(s.features.subarray(src * width, (src + 1) * width), dst * width));
  return { features, width, utility: Float64Array.from(idx, (i) => s.utility[i]!), positions: Int32Array.from(idx, (i) => s.positions[i]!) };
}
