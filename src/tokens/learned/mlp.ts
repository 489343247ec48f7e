import * as z from "zod/mini";
import type { Xoshiro128 } from "../rng.js";
import { POSITION_FEATURES } from "./features.js";

/**
 * KV Policy's per-head scorer (Moschella et al., arXiv:2602.10238, App. A.2; the released agent
 * `KVSamplingGroupedQueryAgent`), scaled down as ../shared/specs/token-eviction.md §4.9 proposes:
 *
 *   ek = LayerNorm(Wk k + bk)   ev = LayerNorm(Wv v + bv)      d → P each
 *   ep = LayerNorm(Wp sin(pos) + bp)                           16 sinusoids → Dp (the paper: a learned position table)
 *   h  = concat(ek, ev, ep); repeat `layers` times: h = SiLU(LayerNorm(W h + b))   → `hidden` units
 *   score = wo · h + bo
 *
 * The LayerNorms have a gain and a bias, as torch's. Forward and backward passes are written by
 * hand over a flat parameter vector, so that training needs no tensor library and is bit-for-bit
 * deterministic.
 */
export interface MlpShape {
  headDim: number;
  /** P: width of the key and value projections. */
  projection: number;
  /** Dp: width of the position projection. */
  positionDim: number;
  hidden: number;
  layers: number;
}

export const mlpScorerSchema = z.strictObject({
  kind: z.literal("mlp"),
  headDim: z.int().check(z.gte(1)),
  projection: z.int().check(z.gte(1), z.lte(1024)),
  positionDim: z.int().check(z.gte(1), z.lte(1024)),
  hidden: z.int().check(z.gte(1), z.lte(1024)),
  layers: z.int().check(z.gte(1), z.lte(8)),
  params: z.array(z.number()),
});

export type MlpScorer = z.output<typeof mlpScorerSchema>;

/** The spec's sizes (§4.9): P = 32, two hidden layers of 64 units; Dp = 16. */
export const DEFAULT_MLP_SHAPE = { projection: 32, positionDim: 16, hidden: 64, layers: 2 } as const;

const LN_EPS = 1e-5;

/** A dense layer followed by a LayerNorm, optionally by SiLU: its slice of the input and its offsets in the parameter vector. */
interface Block {
  inOffset: number;
  inWidth: number;
  out: number;
  /** Offset of the block's output in the concatenated first hidden vector (input projections only). */
  outOffset: number;
  w: number;
  b: number;
  gain: number;
  bias: number;
  silu: boolean;
}

export interface MlpLayout {
  shape: MlpShape;
  /** Feature row width: key, value, position sinusoids. */
  width: number;
  projections: Block[];
  hiddenBlocks: Block[];
  /** Width of concat(ek, ev, ep). */
  concat: number;
  outW: number;
  outB: number;
  size: number;
}

export function mlpLayout(shape: MlpShape): MlpLayout {
  const { headDim: d, projection: p, positionDim: dp, hidden, layers } = shape;
  let size = 0;
  const block = (inOffset: number, inWidth: number, out: number, outOffset: number, silu: boolean): Block => {
    const w = size;
    size += out * inWidth;
    const b = size;
    size += out;
    const gain = size;
    size += out;
    const bias = size;
    size += out;
    return { inOffset, inWidth, out, outOffset, w, b, gain, bias, silu };
  };
  const projections = [block(0, d, p, 0, false), block(d, d, p, p, false), block(2 * d, POSITION_FEATURES, dp, 2 * p, false)];
  const concat = 2 * p + dp;
  const hiddenBlocks = Array.from({ length: layers }, (_, l) => block(0, l === 0 ? concat : hidden, hidden, 0, true));
  const outW = size;
  size += hidden;
  const outB = size;
  size += 1;
  return { shape, width: 2 * d + POSITION_FEATURES, projections, hiddenBlocks, concat, outW, outB, size };
}

export function mlpShapeOf(scorer: MlpScorer): MlpShape {
  const { headDim, projection, positionDim, hidden, layers } = scorer;
  return { headDim, projection, positionDim, hidden, layers };
}

/** torch.nn.Linear's default initialisation, U(±1/√fan_in) for weights and biases; LayerNorm gain 1, bias 0. */
export function initMlpParams(layout: MlpLayout, rng: Xoshiro128): Float64Array {
  const params = new Float64Array(layout.size);
  const uniform = (from: number, count: number, fanIn: number) => {
    const bound = 1 / Math.sqrt(fanIn);
    for (let i = 0; i < count; i++) params[from + i] = (2 * rng.uniform() - 1) * bound;
  };
  for (const blk of [...layout.projections, ...layout.hiddenBlocks]) {
    uniform(blk.w, blk.out * blk.inWidth, blk.inWidth);
    uniform(blk.b, blk.out, blk.inWidth);
    params.fill(1, blk.gain, blk.gain + blk.out);
  }
  uniform(layout.outW, layout.shape.hidden, layout.shape.hidden);
  uniform(layout.outB, 1, layout.shape.hidden);
  return params;
}

/** What the backward pass needs from a forward pass over n tokens. */
export interface MlpActivations {
  n: number;
  /** concat(ek, ev, ep) per token [n × concat]. */
  h0: Float64Array;
  /** Per block (projections, then hidden): normalised pre-activations [n × out] and 1/std [n]. */
  xhat: Float64Array[];
  rstd: Float64Array[];
  /** Per hidden block: LayerNorm output before SiLU, and after [n × hidden]. */
  pre: Float64Array[];
  post: Float64Array[];
}

/** z = W x + b, then LayerNorm into xhat (normalised) and y (gain·xhat + bias). Returns 1/std. */
function denseNorm(params: Float64Array, blk: Block, x: Float64Array, xOff: number, xhat: Float64Array, xhatOff: number, y: Float64Array, yOff: number): number {
  const { out, inWidth, w } = blk;
  let mean = 0;
  for (let j = 0; j < out; j++) {
    const row = w + j * inWidth;
    // Four partial sums (every width here is a multiple of 4 except in tests): V8 runs this about twice as fast as one chain.
    let z0 = 0, z1 = 0, z2 = 0, z3 = 0;
    let c = 0;
    for (; c + 3 < inWidth; c += 4) {
      z0 += params[row + c]! * x[xOff + c]!;
      z1 += params[row + c + 1]! * x[xOff + c + 1]!;
      z2 += params[row + c + 2]! * x[xOff + c + 2]!;
      z3 += params[row + c + 3]! * x[xOff + c + 3]!;
    }
    for (; c < inWidth; c++) z0 += params[row + c]! * x[xOff + c]!;
    const z = params[blk.b + j]! + (z0 + z1) + (z2 + z3);
    xhat[xhatOff + j] = z;
    mean += z;
  }
  mean /= out;
  let variance = 0;
  for (let j = 0; j < out; j++) {
    const c = xhat[xhatOff + j]! - mean;
    variance += c * c;
  }
  const rstd = 1 / Math.sqrt(variance / out + LN_EPS);
  for (let j = 0; j < out; j++) {
    const v = (xhat[xhatOff + j]! - mean) * rstd;
    xhat[xhatOff + j] = v;
    y[yOff + j] = params[blk.gain + j]! * v + params[blk.bias + j]!;
  }
  return rstd;
}

/** Scores n tokens (features row-major [n × layout.width]); with `keep`, records what backward needs. */
export function mlpForward(layout: MlpLayout, params: Float64Array, features: Float32Array, n: number, out: Float64Array, keep?: MlpActivations): void {
  const { width, concat, projections, hiddenBlocks } = layout;
  const hidden = layout.shape.hidden;
  const h0 = keep?.h0 ?? new Float64Array(concat);
  const xhatP = projections.map((blk, g) => keep?.xhat[g] ?? new Float64Array(blk.out));
  const xhatH = hiddenBlocks.map((_, l) => keep?.xhat[projections.length + l] ?? new Float64Array(hidden));
  const pre = hiddenBlocks.map((_, l) => keep?.pre[l] ?? new Float64Array(hidden));
  const post = hiddenBlocks.map((_, l) => keep?.post[l] ?? new Float64Array(hidden));
  const row = new Float64Array(width);
  for (let i = 0; i < n; i++) {
    // Without `keep`, every token reuses row 0 of the scratch arrays.
    const r = keep ? i : 0;
    for (let c = 0; c < width; c++) row[c] = features[i * width + c]!;
    for (let g = 0; g < projections.length; g++) {
      const blk = projections[g]!;
      const rs = denseNorm(params, blk, row, blk.inOffset, xhatP[g]!, r * blk.out, h0, r * concat + blk.outOffset);
      if (keep) keep.rstd[g]![i] = rs;
    }
    let input: Float64Array = h0;
    let inOff = r * concat;
    for (let l = 0; l < hiddenBlocks.length; l++) {
      const y = pre[l]!;
      const h = post[l]!;
      const rs = denseNorm(params, hiddenBlocks[l]!, input, inOff, xhatH[l]!, r * hidden, y, r * hidden);
      if (keep) keep.rstd[projections.length + l]![i] = rs;
      for (let j = r * hidden; j < (r + 1) * hidden; j++) h[j] = y[j]! / (1 + Math.exp(-y[j]!));
      input = h;
      inOff = r * hidden;
    }
    let s = params[layout.outB]!;
    for (let j = 0; j < hidden; j++) s += params[layout.outW + j]! * input[inOff + j]!;
    out[i] = s;
  }
}

export function mlpActivations(layout: MlpLayout, n: number): MlpActivations {
  const blocks = [...layout.projections, ...layout.hiddenBlocks];
  const hidden = layout.shape.hidden;
  return {
    n, h0: new Float64Array(n * layout.concat),
    xhat: blocks.map((b) => new Float64Array(n * b.out)), rstd: blocks.map(() => new Float64Array(n)),
    pre: layout.hiddenBlocks.map(() => new Float64Array(n * hidden)), post: layout.hiddenBlocks.map(() => new Float64Array(n * hidden)),
  };
}

/**
 * LayerNorm and dense backward for one token: from dy (gradient at the LayerNorm output) to
 * the parameter gradients and, when dx is given, the gradient at the block's input.
 */
function denseNormBackward(params: Float64Array, grad: Float64Array, blk: Block, dy: Float64Array, xhat: Float64Array, xhatOff: number, rstd: number, x: Float64Array, xOff: number, dz: Float64Array, dx?: Float64Array): void {
  const { out, inWidth, w } = blk;
  let meanD = 0;
  let meanDx = 0;
  for (let j = 0; j < out; j++) {
    const xh = xhat[xhatOff + j]!;
    grad[blk.gain + j]! += dy[j]! * xh;
    grad[blk.bias + j]! += dy[j]!;
    const d = dy[j]! * params[blk.gain + j]!;
    dz[j] = d;
    meanD += d;
    meanDx += d * xh;
  }
  meanD /= out;
  meanDx /= out;
  for (let j = 0; j < out; j++) {
    const g = rstd * (dz[j]! - meanD - xhat[xhatOff + j]! * meanDx);
    dz[j] = g;
    grad[blk.b + j]! += g;
    const row = w + j * inWidth;
    if (dx) {
      for (let c = 0; c < inWidth; c++) {
        grad[row + c]! += g * x[xOff + c]!;
        dx[c]! += g * params[row + c]!;
      }
    } else {
      for (let c = 0; c < inWidth; c++) grad[row + c]! += g * x[xOff + c]!;
    }
  }
}

/** Adds ∂(Σ_i dScores[i]·score_i)/∂params to `grad`, from the activations of `mlpForward(..., keep)`. */
export function mlpBackward(layout: MlpLayout, params: Float64Array, features: Float32Array, act: MlpActivations, dScores: Float64Array, grad: Float64Array): void {
  const { width, concat, projections, hiddenBlocks } = layout;
  const hidden = layout.shape.hidden;
  const widest = Math.max(hidden, ...projections.map((b) => b.out));
  const dy = new Float64Array(widest);
  const dz = new Float64Array(widest);
  const dh = new Float64Array(hidden);
  const dIn = new Float64Array(Math.max(hidden, concat));
  const last = hiddenBlocks.length - 1;
  const row = new Float64Array(width);
  for (let i = 0; i < act.n; i++) {
    const ds = dScores[i]!;
    if (ds === 0) continue;
    for (let c = 0; c < width; c++) row[c] = features[i * width + c]!;
    const top = act.post[last]!;
    grad[layout.outB]! += ds;
    for (let j = 0; j < hidden; j++) {
      grad[layout.outW + j]! += ds * top[i * hidden + j]!;
      dh[j] = ds * params[layout.outW + j]!;
    }
    for (let l = last; l >= 0; l--) {
      const y = act.pre[l]!;
      for (let j = 0; j < hidden; j++) {
        const v = y[i * hidden + j]!;
        const sig = 1 / (1 + Math.exp(-v));
        dy[j] = dh[j]! * sig * (1 + v * (1 - sig));
      }
      const input = l === 0 ? act.h0 : act.post[l - 1]!;
      const inWidth = l === 0 ? concat : hidden;
      dIn.fill(0, 0, inWidth);
      denseNormBackward(params, grad, hiddenBlocks[l]!, dy, act.xhat[projections.length + l]!, i * hidden, act.rstd[projections.length + l]![i]!, input, i * inWidth, dz, dIn);
      dh.set(dIn.subarray(0, hidden));
    }
    for (let g = 0; g < projections.length; g++) {
      const blk = projections[g]!;
      // The gradient at concat(ek, ev, ep) is in dIn after the first hidden block.
      for (let j = 0; j < blk.out; j++) dy[j] = dIn[blk.outOffset + j]!;
      denseNormBackward(params, grad, blk, dy, act.xhat[g]!, i * blk.out, act.rstd[g]![i]!, row, blk.inOffset, dz);
    }
  }
}
