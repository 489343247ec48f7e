import { softmaxRow } from "./attention-kernel.js";
import type { RopeParams } from "./rope.js";
import type { HeadProfile, ProfileGains, TokenTraceParams } from "./params.js";

export const TOKEN_TYPES = ["sink", "local", "heavy", "needle", "filler"] as const;
export const SINK = 0, LOCAL = 1, HEAVY = 2, NEEDLE = 3, FILLER = 4;

/** The JSON header of a `.kvtrace` file (docs/formats.md). */
export interface TokenTraceHeader {
  format: "kvtrace";
  version: 1;
  source: "synthetic" | "hf" | string;
  model: {
    layers: number; qHeads: number; kvHeads: number; headDim: number; groupSize: number;
    softmaxScale: number;
    /** Logit bias −slope·min(t − i, cap) per query head; null for recorded traces (RoPE is inside q and k). */
    positionBias: { type: "linear-capped"; cap: number; slopePerHead: number[] } | null;
    /** Keys and queries are stored rotated by RoPE at their positions (absent: no RoPE). */
    rope?: RopeParams;
  };
  tokens: { context: number; future: number; total: number };
  /** First stored query position: queries are stored for [queryStart, total). */
  queryStart: number;
  gqaReduce: "max" | "mean";
  /** Context queries feeding `h2o_acc`: every `stride`-th one plus the last `window`. */
  h2o: { stride: number; window: number };
  generator?: { seed: number; params: TokenTraceParams };
  profiles?: HeadProfile[];
  profileGains?: Record<string, ProfileGains>;
}

/**
 * A token trace in memory. Per-head arrays are flattened row-major: keys/values
 * [layers, kvHeads, total, headDim], queries [layers, qHeads, total − queryStart, headDim],
 * utilities and h2o [layers, kvHeads, context], ground truth [layers, total].
 */
export interface TokenTrace {
  header: TokenTraceHeader;
  positions: Int32Array;
  keys: Float32Array;
  values: Float32Array;
  queries: Float32Array;
  utilitySum: Float32Array;
  utilityMax: Float32Array;
  h2oAcc: Float32Array;
  /**
   * kvpress's ObservedAttentionPress score: Σ_{t≥i} a(t,i)/(T − i) over every context query t,
   * averaged over the group. Absent from traces written before it existed.
   */
  observedAttn?: Float32Array;
  /**
   * Per query head, the mean [layers, qHeads, d] and covariance [layers, qHeads, d, d] of the
   * pre-RoPE context queries at positions [QUERY_STATS_FROM, T) (kvpress ExpectedAttentionPress's
   * statistics). Absent from traces written before they existed.
   */
  queryMean?: Float32Array;
  queryCov?: Float32Array;
  /** Synthetic traces only: token types, needle ids (−1 none), decoy flags, and retrieval events (layer, kvHead, time, needleId). */
  tokenType?: Uint8Array;
  needleId?: Int16Array;
  decoy?: Uint8Array;
  events?: Int32Array;
}

/** Views of one (layer, KV head): what policies may read (no utilities, no ground truth). */
export interface HeadView {
  context: number;
  total: number;
  headDim: number;
  groupSize: number;
  /** [total × headDim] */
  keys: Float32Array;
  values: Float32Array;
  /** The group's query heads, each [(total − queryStart) × headDim]. */
  queries: Float32Array[];
  queryStart: number;
  positions: Int32Array;
  softmaxScale: number;
  /** Per query head of the group. */
  biasSlopes: number[];
  biasCap: number;
  /** Accumulated attention of context queries (H2O), already reduced over the group. */
  h2oAcc: Float32Array;
  /** Mean attention each token received from the context queries that can see it (kvpress ObservedAttentionPress), reduced over the group. */
  observedAttn?: Float32Array;
  /** Per query head of the group: pre-RoPE query mean [d] and covariance [d × d] over the context. */
  queryStats?: { mean: Float32Array; cov: Float32Array }[];
  rope?: RopeParams;
}

/** Query statistics skip the first 4 positions, kvpress's n_sink ("likely contain outliers"). */
export const QUERY_STATS_FROM = 4;

export function headView(trace: TokenTrace, layer: number, head: number): HeadView {
  const { model, tokens, queryStart } = trace.header;
  const d = model.headDim;
  const n = tokens.total;
  const base = ((layer * model.kvHeads + head) * n) * d;
  const nq = n - queryStart;
  const queries: Float32Array[] = [];
  const biasSlopes: number[] = [];
  for (let j = 0; j < model.groupSize; j++) {
    const qh = head * model.groupSize + j;
    const qBase = ((layer * model.qHeads + qh) * nq) * d;
    queries.push(trace.queries.subarray(qBase, qBase + nq * d));
    biasSlopes.push(model.positionBias?.slopePerHead[qh] ?? 0);
  }
  const t = tokens.context;
  const u = (layer * model.kvHeads + head) * t;
  return {
    context: t, total: n, headDim: d, groupSize: model.groupSize, keys: trace.keys.subarray(base, base + n * d),
    values: trace.values.subarray(base, base + n * d), queries, queryStart, positions: trace.positions, softmaxScale: model.softmaxScale,
    biasSlopes, biasCap: model.positionBias?.cap ?? 0, h2oAcc: trace.h2oAcc.subarray(u, u + t),
    ...(trace.observedAttn ? { observedAttn: trace.observedAttn.subarray(u, u + t) } : {}),
    ...(trace.queryMean && trace.queryCov ? {
      queryStats: Array.from({ length: model.groupSize }, (_, j) => {
        const qh = layer * model.qHeads + head * model.groupSize + j;
        return { mean: trace.queryMean!.subarray(qh * d, (qh + 1) * d), cov: trace.queryCov!.subarray(qh * d * d, (qh + 1) * d * d) };
      }),
    } : {}),
    ...(model.rope ? { rope: model.rope } : {}),
  };
}

/** The full-cache attention row of stored query `t` (absolute position) of group member `j` over keys [0, t]. */
export function attentionRow(view: HeadView, j: number, t: number, out: Float64Array): void {
  const d = view.headDim;
  const q = view.queries[j]!.subarray((t - view.queryStart) * d, (t - view.queryStart + 1) * d);
  softmaxRow(view.keys, d, q, t, view.softmaxScale, view.biasSlopes[j]!, view.biasCap, out);
}

/** The full-cache head output Σ_i a_i v_i of an attention row over the head's values. */
export function headOutput(view: HeadView, row: ArrayLike<number>, length: number): Float64Array {
  const d = view.headDim;
  const out = new Float64Array(d);
  for (let i = 0; i < length; i++) for (let c = 0; c < d; c++) out[c]! += row[i]! * view.values[i * d + c]!;
  return out;
}
