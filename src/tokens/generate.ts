import { KvsimInputError } from "../errors.js";
import { validate } from "../json-file.js";
import { PROFILE_GAINS, tokenTraceParamsSchema, type TokenTraceParams, type TokenTraceParamsInput } from "./params.js";
import { STREAM, streamSeed, Xoshiro128 } from "./rng.js";
import { rotate, type RopeParams } from "./rope.js";
import { softmaxRow } from "./attention-kernel.js";
import { attentionRow, FILLER, HEAVY, headView, LOCAL, NEEDLE, QUERY_STATS_FROM, SINK, type TokenTrace } from "./trace.js";

/** Needles and decoys are placed in [nSink, T − NEEDLE_TAIL), away from the final question region. */
const NEEDLE_TAIL = 256;

function gramSchmidt(vectors: Float64Array[]): void {
  for (let a = 0; a < vectors.length; a++) {
    const v = vectors[a]!;
    for (let b = 0; b < a; b++) {
      const u = vectors[b]!;
      let dot = 0;
      for (let c = 0; c < v.length; c++) dot += v[c]! * u[c]!;
      for (let c = 0; c < v.length; c++) v[c]! -= dot * u[c]!;
    }
    let norm = 0;
    for (let c = 0; c < v.length; c++) norm += v[c]! * v[c]!;
    norm = Math.sqrt(norm);
    for (let c = 0; c < v.length; c++) v[c]! /= norm;
  }
}

interface LayerTypes {
  type: Uint8Array;
  needle: Int16Array;
  decoy: Uint8Array;
  needlePos: number[];
  /**
   * needle m (real or decoy) → its identity direction. Drawn per trace, so which of the model's
   * identity directions are real needles changes from input to input: a scorer cannot learn to
   * tell decoys from needles across seeds.
   */
  identity: number[];
}

function drawTypes(p: TokenTraceParams, layer: number): LayerTypes {
  const t = p.contextTokens;
  const n = t + p.futureTokens;
  const rng = new Xoshiro128(streamSeed(p.seed, STREAM.types, layer, 0));
  const type = new Uint8Array(n).fill(255);
  const needle = new Int16Array(n).fill(-1);
  const decoy = new Uint8Array(n);
  for (let i = 0; i < Math.min(p.nSink, t); i++) type[i] = SINK;
  // Needles then decoys: distinct positions by a partial Fisher–Yates over the needle region.
  const region: number[] = [];
  for (let i = p.nSink; i < t - NEEDLE_TAIL; i++) region.push(i);
  const count = Math.min(p.needleCount + p.decoyCount, region.length);
  const needlePos: number[] = [];
  for (let m = 0; m < count; m++) {
    const j = m + rng.below(region.length - m);
    [region[m], region[j]] = [region[j]!, region[m]!];
    const pos = region[m]!;
    type[pos] = NEEDLE;
    needle[pos] = m;
    if (m >= p.needleCount) decoy[pos] = 1;
    needlePos.push(pos);
  }
  const identity = Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    [identity[i], identity[j]] = [identity[j]!, identity[i]!];
  }
  const localP = p.localFrac / (1 - p.heavyFrac);
  for (let i = 0; i < n; i++) {
    if (type[i] !== 255) continue;
    type[i] = rng.uniform() < p.heavyFrac ? HEAVY : rng.uniform() < localP ? LOCAL : FILLER;
  }
  return { type, needle, decoy, needlePos, identity };
}

/** The most key, value and query floats a generated trace holds (1 GiB of float32). */
const MAX_TRACE_FLOATS = 2 ** 28;

/**
 * Generates a synthetic token trace (docs/tokens.md): per KV head, keys and values built from
 * token types that are only partly visible, queries with per-profile logit gains and retrieval
 * events, and from them the future utilities (U_sum, U_max over [T, T + F)), the H2O
 * accumulation over context queries, and the stored queries of the observation window and the
 * future. Deterministic in `seed`; heads and layers draw from their own streams.
 */
export function generateTokenTrace(input: TokenTraceParamsInput = {}): TokenTrace {
  const p = validate(tokenTraceParamsSchema, input, "token trace parameters");
  if (p.obsWindow >= p.contextTokens - NEEDLE_TAIL) {
    throw new KvsimInputError(`token trace parameters: obsWindow: must be below contextTokens − ${NEEDLE_TAIL} (${p.contextTokens - NEEDLE_TAIL}), got ${p.obsWindow}`);
  }
  const d = p.headDim;
  const t = p.contextTokens;
  const f = p.futureTokens;
  const n = t + f;
  const g = p.groupSize;
  const heads = p.kvHeads;
  const qHeads = heads * g;
  const queryStart = t - p.obsWindow;
  const nq = n - queryStart;
  // Each parameter is in range, but their product sizes the key, value and query arrays: refused
  // before any allocation rather than failing inside one.
  const floats = p.layers * (2 * heads * n + qHeads * nq) * d;
  if (floats > MAX_TRACE_FLOATS) {
    throw new KvsimInputError(`token trace parameters: layers × heads × tokens × headDim make ${floats.toLocaleString("en-US")} floats of keys, values and queries, more than ${MAX_TRACE_FLOATS.toLocaleString("en-US")} (1 GiB); use fewer layers, heads or tokens`);
  }
  if (p.ropeTheta > 0 && d % 2 !== 0) throw new KvsimInputError(`token trace parameters: ropeTheta: RoPE pairs dimensions, so headDim must be even, got ${d}`);
  const rope: RopeParams | undefined = p.ropeTheta > 0 ? { theta: p.ropeTheta } : undefined;
  const stride = p.h2oStride > 0 ? p.h2oStride : Math.ceil(t / 1024);
  const profiles = Array.from({ length: heads }, (_, h) => p.profiles[h % p.profiles.length]!);
  const slopePerHead = Array.from({ length: qHeads }, (_, q) => PROFILE_GAINS[profiles[Math.floor(q / g)]!].lambda / p.recencyScale);
  const trace: TokenTrace = {
    header: {
      format: "kvtrace", version: 1, source: "synthetic",
      model: {
        layers: p.layers, qHeads, kvHeads: heads, headDim: d, groupSize: g, softmaxScale: 1 / Math.sqrt(d),
        positionBias: { type: "linear-capped", cap: p.recencyCap, slopePerHead },
        ...(rope ? { rope } : {}),
      },
      tokens: { context: t, future: f, total: n }, queryStart, gqaReduce: p.gqaReduce, h2o: { stride, window: p.obsWindow },
      generator: { seed: p.seed, params: p }, profiles, profileGains: PROFILE_GAINS,
    },
    positions: Int32Array.from({ length: n }, (_, i) => i),
    keys: new Float32Array(p.layers * heads * n * d),
    values: new Float32Array(p.layers * heads * n * d),
    queries: new Float32Array(p.layers * qHeads * nq * d),
    utilitySum: new Float32Array(p.layers * heads * t),
    utilityMax: new Float32Array(p.layers * heads * t),
    h2oAcc: new Float32Array(p.layers * heads * t),
    observedAttn: new Float32Array(p.layers * heads * t),
    queryMean: new Float32Array(p.layers * qHeads * d),
    queryCov: new Float32Array(p.layers * qHeads * d * d),
    tokenType: new Uint8Array(p.layers * n),
    needleId: new Int16Array(p.layers * n),
    decoy: new Uint8Array(p.layers * n),
  };
  const events: number[] = [];
  const sqrtD = Math.sqrt(d);
  for (let layer = 0; layer < p.layers; layer++) {
    const types = drawTypes(p, layer);
    trace.tokenType!.set(types.type, layer * n);
    trace.needleId!.set(types.needle, layer * n);
    trace.decoy!.set(types.decoy, layer * n);
    // Layer-level future retrieval events of the real needles.
    const eventRng = new Xoshiro128(streamSeed(p.seed, STREAM.events, layer, 0));
    const layerEvents: { time: number; needle: number }[] = [];
    for (let m = 0; m < Math.min(p.needleCount, types.needlePos.length); m++) {
      const count = eventRng.poisson(p.layerEventsPerNeedle);
      for (let e = 0; e < count; e++) layerEvents.push({ time: t + eventRng.below(f), needle: m });
    }
    for (let h = 0; h < heads; h++) {
      const gains = PROFILE_GAINS[profiles[h]!];
      // Which events this head joins, and its context events (questions about its needles).
      const headRng = new Xoshiro128(streamSeed(p.seed, STREAM.events, layer, h + 1));
      const retrieve = new Map<number, number[]>(); // query time → needle ids
      const add = (time: number, m: number) => (retrieve.get(time) ?? retrieve.set(time, []).get(time)!).push(m);
      const futureNeedles = new Set<number>();
      for (const ev of layerEvents) {
        if (headRng.uniform() < gains.joinProb) {
          add(ev.time, ev.needle);
          futureNeedles.add(ev.needle);
          events.push(layer, h, ev.time, ev.needle);
        }
      }
      if (gains.gRet > 0) {
        for (let m = 0; m < Math.min(p.needleCount, types.needlePos.length); m++) {
          const pos = types.needlePos[m]!;
          const lo = pos + 1;
          const hi = t - p.obsWindow;
          const count = headRng.poisson(p.ctxEventsPerNeedle);
          for (let e = 0; e < count; e++) if (hi > lo) add(lo + headRng.below(hi - lo), m);
          if (futureNeedles.has(m) && headRng.uniform() < p.questionHint) add(t - p.obsWindow + headRng.below(p.obsWindow), m);
        }
      }
      // Directions: common, five types (orthonormal), needle ids; value directions.
      const dirs = new Xoshiro128(streamSeed(p.modelSeed, STREAM.dirs, layer, h));
      const basis = Array.from({ length: 6 }, () => dirs.unitVector(d));
      gramSchmidt(basis);
      const [common, ...typeDir] = basis as [Float64Array, ...Float64Array[]];
      // The model's identity directions: as many as needles + decoys, whatever this input places.
      const ids = p.needleCount + p.decoyCount;
      const idDir = Array.from({ length: ids }, () => dirs.unitVector(d));
      const valueTypeDir = Array.from({ length: 5 }, () => dirs.unitVector(d));
      const valueIdDir = Array.from({ length: ids }, () => dirs.unitVector(d));
      const keyRng = new Xoshiro128(streamSeed(p.seed, STREAM.keys, layer, h));
      const valueRng = new Xoshiro128(streamSeed(p.seed, STREAM.values, layer, h));
      const kBase = (layer * heads + h) * n * d;
      for (let i = 0; i < n; i++) {
        const tau = types.type[i]!;
        const m = types.needle[i]!;
        const a = Math.min(2, Math.max(0, 1 + p.ampJitter * keyRng.normal()));
        const amp = (tau === SINK ? p.sinkSignal : p.typeSignal) * a;
        const b = Math.min(2, Math.max(0, 1 + p.ampJitter * valueRng.normal()));
        for (let c = 0; c < d; c++) {
          let k = p.keyMean * common[c]! + amp * typeDir[tau]![c]! + (p.keyNoise / sqrtD) * keyRng.normal();
          let v = p.valueTypeSignal * b * valueTypeDir[tau]![c]! + (p.valueNoise / sqrtD) * valueRng.normal();
          if (m >= 0) {
            k += p.idSignal * idDir[types.identity[m]!]![c]!;
            v += p.valueIdSignal * valueIdDir[types.identity[m]!]![c]!;
          }
          trace.keys[kBase + i * d + c] = k;
          trace.values[kBase + i * d + c] = v;
        }
        if (rope) rotate(trace.keys.subarray(kBase + i * d, kBase + (i + 1) * d), i, rope);
      }
      // Queries of the group (logit-gain units r_t; stored as q_t = √d·r_t, rotated by RoPE at t when
      // ropeTheta > 0; the query statistics stay pre-RoPE, as kvpress takes them).
      const rows: Float64Array[] = [];
      for (let j = 0; j < g; j++) {
        const qh = h * g + j;
        const queryRng = new Xoshiro128(streamSeed(p.seed, STREAM.queries, layer, qh));
        const r = new Float64Array(n * d);
        for (let time = 0; time < n; time++) {
          const off = time * d;
          for (let c = 0; c < d; c++) {
            r[off + c] = gains.gSink * typeDir[SINK]![c]! + gains.gHeavy * typeDir[HEAVY]![c]! + gains.gLocal * typeDir[LOCAL]![c]! +
              (p.queryNoise / sqrtD) * queryRng.normal();
          }
          for (const m of retrieve.get(time) ?? []) for (let c = 0; c < d; c++) r[off + c]! += gains.gRet * idDir[types.identity[m]!]![c]!;
        }
        const qBase = (layer * qHeads + qh) * nq * d;
        for (let i = 0; i < nq * d; i++) trace.queries[qBase + i] = r[queryStart * d + i]! * sqrtD;
        if (rope) for (let time = queryStart; time < n; time++) rotate(trace.queries.subarray(qBase + (time - queryStart) * d, qBase + (time - queryStart + 1) * d), time, rope);
        const stats = queryStatistics(r, d, QUERY_STATS_FROM, t, sqrtD);
        trace.queryMean!.set(stats.mean, (layer * qHeads + qh) * d);
        trace.queryCov!.set(stats.cov, (layer * qHeads + qh) * d * d);
        rows.push(r);
      }
      accumulate(trace, p, layer, h, rows, stride);
    }
  }
  trace.events = Int32Array.from(events);
  return trace;
}

/**
 * Mean and covariance (population, /N, as kvpress's `get_query_statistics`) of the queries
 * `scale·r` at positions [from, to).
 */
export function queryStatistics(r: Float64Array, d: number, from: number, to: number, scale: number): { mean: Float64Array; cov: Float64Array } {
  const n = to - from;
  const mean = new Float64Array(d);
  for (let time = from; time < to; time++) for (let c = 0; c < d; c++) mean[c]! += (scale * r[time * d + c]!) / n;
  const cov = new Float64Array(d * d);
  const x = new Float64Array(d);
  for (let time = from; time < to; time++) {
    for (let c = 0; c < d; c++) x[c] = scale * r[time * d + c]! - mean[c]!;
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) cov[a * d + b]! += (x[a]! * x[b]!) / n;
  }
  return { mean, cov };
}

/** Utilities from the future queries, and the H2O sums and observed attention from the context queries, over the group. */
function accumulate(trace: TokenTrace, p: TokenTraceParams, layer: number, h: number, rows: Float64Array[], stride: number): void {
  const t = p.contextTokens;
  const n = t + p.futureTokens;
  const d = p.headDim;
  const view = headView(trace, layer, h);
  const g = rows.length;
  const base = (layer * p.kvHeads + h) * t;
  const sum = new Float64Array(t);
  const max = new Float64Array(t);
  const row = new Float64Array(n);
  const reduced = new Float64Array(n);
  // Context queries are not stored (only the window is): feed them to the kernel from r, as q = √d·r.
  const q = new Float32Array(d);
  const sqrtD = Math.sqrt(d);
  const contextRow = (r: Float64Array, j: number, time: number) => {
    for (let c = 0; c < d; c++) q[c] = r[time * d + c]! * sqrtD;
    if (view.rope) rotate(q, time, view.rope);
    softmaxRow(view.keys, d, q, time, view.softmaxScale, view.biasSlopes[j]!, view.biasCap, row);
  };
  const { h2o, observed } = contextAccumulations(t, g, p.obsWindow, stride, (j, time) => {
    contextRow(rows[j]!, j, time);
    return row;
  });
  for (let time = t; time < n; time++) {
    for (let j = 0; j < g; j++) {
      attentionRow(view, j, time, row);
      for (let i = 0; i < t; i++) {
        const a = row[i]!;
        if (j === 0) reduced[i] = a;
        else reduced[i] = p.gqaReduce === "max" ? Math.max(reduced[i]!, a) : reduced[i]! + a;
      }
    }
    for (let i = 0; i < t; i++) {
      const a = p.gqaReduce === "mean" ? reduced[i]! / g : reduced[i]!;
      sum[i]! += a;
      if (a > max[i]!) max[i] = a;
    }
  }
  trace.utilitySum.set(sum, base);
  trace.utilityMax.set(max, base);
  trace.h2oAcc.set(h2o, base);
  trace.observedAttn!.set(observed, base);
}

/**
 * The two accumulations of context attention, from one pass over every context query's row
 * (`rowOf(j, time)`: group member j's attention over keys [0, time]):
 * - h2o: kvsim's H2O sum over every `stride`-th query plus the last `window`, averaged over the group;
 * - observed: kvpress's ObservedAttentionPress score (observed_attention_press.py, `score`): the
 *   column sum over all T context queries divided by the number of queries that see the token,
 *   `attentions.sum(2) / arange(T, 0, -1)`, averaged over the group (`.mean(2)`).
 */
export function contextAccumulations(t: number, g: number, window: number, stride: number, rowOf: (j: number, time: number) => ArrayLike<number>): { h2o: Float64Array; observed: Float64Array } {
  const h2o = new Float64Array(t);
  const observed = new Float64Array(t);
  for (let time = 0; time < t; time++) {
    const strided = time % stride === 0 || time >= t - window;
    for (let j = 0; j < g; j++) {
      const row = rowOf(j, time);
      for (let i = 0; i <= time; i++) {
        if (strided) h2o[i]! += row[i]! / g;
        observed[i]! += row[i]! / g;
      }
    }
  }
  for (let i = 0; i < t; i++) observed[i]! /= t - i;
  return { h2o, observed };
}
