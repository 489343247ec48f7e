import { instantiateEngine, type EngineExports } from "../../wasm/engine-module.js";
import type { HeadScorer } from "./scorer.js";

/**
 * A linear scorer's weights with the feature standardization folded in: the layout the WASM
 * kernel reads (wk [d], wv [d], (sin, cos) weight per position frequency, bias).
 */
export function foldLinear(scorer: HeadScorer): Float32Array {
  const width = scorer.mean.length;
  const wLin = 2 * scorer.hidden + scorer.hidden * width;
  const out = new Float32Array(width + 1);
  let bias = 0;
  for (let c = 0; c < width; c++) {
    const w = scorer.params[wLin + c]! / scorer.std[c]!;
    out[c] = w;
    bias -= w * scorer.mean[c]!;
  }
  out[width] = bias;
  return out;
}

/**
 * One head's linear scoring and top-k in WASM (assembly/tokens/score.ts). `load` copies the keys
 * and values in; `score` and `topK` then run without copying them again.
 */
export class LinearScoringKernel {
  private readonly engine: EngineExports = instantiateEngine();
  private count = 0;

  load(keys: Float32Array, values: Float32Array, d: number): void {
    this.count = keys.length / d;
    this.engine.resetArena();
    this.engine.setupScoring(this.count, d);
    new Float32Array(this.engine.memory.buffer, this.engine.scoringKeys(), keys.length).set(keys);
    new Float32Array(this.engine.memory.buffer, this.engine.scoringValues(), values.length).set(values);
  }

  /** Scores of tokens at positions first … first + count − 1 (a view, valid until the next call). */
  score(folded: Float32Array, first = 0): Float64Array {
    const e = this.engine;
    new Float32Array(e.memory.buffer, e.scoringWeights(), folded.length).set(folded);
    e.scoreLinear(this.count, first);
    return new Float64Array(e.memory.buffer, e.scoringScores(), this.count);
  }

  /** Indices of the k best-scored tokens (ties to the larger position), in no particular order (a view). */
  topK(k: number): Int32Array {
    const e = this.engine;
    e.selectTopK(this.count, k);
    return new Int32Array(e.memory.buffer, e.scoringOrder(), this.count).subarray(0, k);
  }
}
