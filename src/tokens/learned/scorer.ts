import * as z from "zod/mini";

/**
 * A learned per-head scorer (KVP-lite): score = w2 · SiLU(W1 · standardized features + b1) +
 * w_lin · standardized features, i.e. a one-hidden-layer MLP with a linear skip. Small on
 * purpose: it is trained by evolution strategies and must score 32K tokens × 8 heads quickly.
 */
export interface HeadScorer {
  /** Feature standardization, from the training tokens. */
  mean: number[];
  std: number[];
  hidden: number;
  /** Flat parameters: W1 [hidden × width], b1 [hidden], w2 [hidden], wLin [width]. */
  params: number[];
}

export const headScorerSchema = z.strictObject({
  mean: z.array(z.number()),
  std: z.array(z.number()),
  hidden: z.int().check(z.gte(0), z.lte(256)),
  params: z.array(z.number()),
});

export function parameterCount(width: number, hidden: number): number {
  return hidden * width + hidden + hidden + width;
}

/** Scores `t` tokens of `width` features with the given flat parameters (Float64Array for speed in training). */
export function scoreTokens(features: Float32Array, width: number, mean: ArrayLike<number>, std: ArrayLike<number>, hidden: number, params: ArrayLike<number>, out: Float64Array): void {
  const t = out.length;
  const x = new Float64Array(width);
  const b1 = hidden * width;
  const w2 = b1 + hidden;
  const wLin = w2 + hidden;
  for (let i = 0; i < t; i++) {
    const row = i * width;
    let s = 0;
    for (let c = 0; c < width; c++) {
      const v = (features[row + c]! - mean[c]!) / std[c]!;
      x[c] = v;
      s += params[wLin + c]! * v;
    }
    for (let h = 0; h < hidden; h++) {
      let a = params[b1 + h]!;
      const w = h * width;
      for (let c = 0; c < width; c++) a += params[w + c]! * x[c]!;
      s += params[w2 + h]! * (a / (1 + Math.exp(-a)));
    }
    out[i] = s;
  }
}
