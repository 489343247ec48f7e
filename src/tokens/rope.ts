/**
 * Rotary position embedding in HuggingFace's `rotate_half` layout (what kvpress's presses see in
 * the cache): dimension c < d/2 pairs with c + d/2 and turns by angle pos·θ_c, θ_c = theta^(−2c/d).
 */
export interface RopeParams {
  theta: number;
}

function frequency(c: number, d: number, theta: number): number {
  return theta ** ((-2 * c) / d);
}

/** Rotates `x` (length d) in place to position `pos`: x·cos + rotate_half(x)·sin. */
export function rotate(x: Float64Array | Float32Array, pos: number, rope: RopeParams, d = x.length): void {
  const h = d >> 1;
  for (let c = 0; c < h; c++) {
    const a = pos * frequency(c, d, rope.theta);
    const [cos, sin] = [Math.cos(a), Math.sin(a)];
    const [lo, hi] = [x[c]!, x[c + h]!];
    x[c] = lo * cos - hi * sin;
    x[c + h] = hi * cos + lo * sin;
  }
}

/**
 * The rotation averaged over positions [from, from + count), R̄ = mean_p R(p), as d×d row-major
 * (kvpress ExpectedAttentionPress.get_query_statistics: `R.mean(dim=0)`). It is not a rotation:
 * averaging shrinks the fast-turning pairs towards 0.
 */
export function meanRotation(d: number, from: number, count: number, rope: RopeParams): Float64Array {
  const r = new Float64Array(d * d);
  const h = d >> 1;
  for (let c = 0; c < h; c++) {
    let cos = 0, sin = 0;
    for (let p = from; p < from + count; p++) {
      const a = p * frequency(c, d, rope.theta);
      cos += Math.cos(a) / count;
      sin += Math.sin(a) / count;
    }
    r[c * d + c] = cos;
    r[(c + h) * d + c + h] = cos;
    r[c * d + c + h] = -sin;
    r[(c + h) * d + c] = sin;
  }
  return r;
}
