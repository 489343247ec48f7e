import { engineModule, instantiate, view, type EngineExports } from "./instance.js";

// An instance of its own per kernel: each kernel's setup resets the arena it would share.

/**
 * The attention-row kernel (assembly/tokens/attention.ts): one head's keys stay in the instance,
 * copied in only when a different head's keys are asked for.
 */
export class AttentionRowKernel {
  private readonly raw: EngineExports;
  private loaded: { buffer: ArrayBufferLike; offset: number; length: number } | undefined;

  constructor(module: WebAssembly.Module = engineModule()) {
    this.raw = instantiate(module, "tokens", this);
  }

  /**
   * Writes softmax_i(q·k_i·scale − slope·min(t − i, cap)) for i in [0, t] into `out`; `keys` are
   * one head's [total × d] keys and `q` one query of dimension d.
   */
  softmaxRow(keys: Float32Array, d: number, q: Float32Array, t: number, scale: number, slope: number, cap: number, out: Float64Array): void {
    const w = this.raw;
    const loaded = this.loaded;
    if (!loaded || loaded.buffer !== keys.buffer || loaded.offset !== keys.byteOffset || loaded.length !== keys.length) {
      w.resetArena();
      w.setupAttention(keys.length / d, d);
      view(w, Float32Array, w.attentionKeys(), keys.length).set(keys);
      this.loaded = { buffer: keys.buffer, offset: keys.byteOffset, length: keys.length };
    }
    view(w, Float32Array, w.attentionQuery(), d).set(q);
    w.softmaxRow(t, scale, slope, cap);
    out.set(view(w, Float64Array, w.attentionRowBuffer(), t + 1));
  }
}

/** The radix ranking (assembly/tokens/rank.ts): scores, highest first, ties to the larger index. */
export class RankingKernel {
  private readonly raw: EngineExports;
  private capacity = 0;

  constructor(module: WebAssembly.Module = engineModule()) {
    this.raw = instantiate(module, "tokens", this);
  }

  /** The order of `scores`; with `utility`, also the retained utility at every budget (cum[b], b = 0 … n). */
  rank(scores: ArrayLike<number>, utility?: ArrayLike<number>): { order: Int32Array; cum?: Float64Array } {
    const w = this.raw;
    const n = scores.length;
    if (n > this.capacity) {
      w.resetArena();
      w.setupRanking(n);
      this.capacity = n;
    }
    view(w, Float64Array, w.rankingScores(), n).set(scores);
    if (utility) view(w, Float64Array, w.rankingUtility(), n).set(utility);
    w.rank(n, utility !== undefined);
    const order = Int32Array.from(view(w, Int32Array, w.rankingOrder(), n));
    return utility ? { order, cum: Float64Array.from(view(w, Float64Array, w.rankingRetained(), n + 1)) } : { order };
  }
}

/**
 * One head's linear scoring and top-k (assembly/tokens/score.ts). `load` copies the keys and
 * values in; `score` and `topK` then run without copying them again.
 */
export class LinearScoringKernel {
  private readonly raw: EngineExports;
  private count = 0;

  constructor(module: WebAssembly.Module = engineModule()) {
    this.raw = instantiate(module, "tokens", this);
  }

  load(keys: Float32Array, values: Float32Array, d: number): void {
    const w = this.raw;
    this.count = keys.length / d;
    w.resetArena();
    w.setupScoring(this.count, d);
    view(w, Float32Array, w.scoringKeys(), keys.length).set(keys);
    view(w, Float32Array, w.scoringValues(), values.length).set(values);
  }

  /** Scores of tokens at positions first … first + count − 1 (a view, valid until the next call). */
  score(folded: Float32Array, first = 0): Float64Array {
    const w = this.raw;
    view(w, Float32Array, w.scoringWeights(), folded.length).set(folded);
    w.scoreLinear(this.count, first);
    return view(w, Float64Array, w.scoringScores(), this.count);
  }

  /** Indices of the k best-scored tokens (ties to the larger position), in no particular order (a view). */
  topK(k: number): Int32Array {
    const w = this.raw;
    w.selectTopK(this.count, k);
    return view(w, Int32Array, w.scoringOrder(), this.count).subarray(0, k);
  }
}
