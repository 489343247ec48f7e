/**
 * The learned linear scorer and top-k as plain TypeScript over typed arrays — the same algorithm
 * as the WASM kernel (assembly/tokens/score.ts): folded weights, position sinusoids advanced by
 * rotation, quickselect with a median-of-three pivot. It exists to measure what WASM SIMD buys; a
 * test checks both select the same tokens.
 */
const POSITION_FEATURES = 16;

export function tsScoreLinear(keys: Float32Array, values: Float32Array, d: number, folded: Float32Array, first: number, scores: Float64Array): void {
  const count = scores.length;
  const half = POSITION_FEATURES / 2;
  const sines = new Float64Array(half);
  const cosines = new Float64Array(half);
  const stepSin = new Float64Array(half);
  const stepCos = new Float64Array(half);
  for (let f = 0; f < half; f++) {
    const omega = 1 / 10000 ** ((2 * f) / POSITION_FEATURES);
    sines[f] = Math.sin(first * omega);
    cosines[f] = Math.cos(first * omega);
    stepSin[f] = Math.sin(omega);
    stepCos[f] = Math.cos(omega);
  }
  const bias = folded[2 * d + POSITION_FEATURES]!;
  for (let i = 0; i < count; i++) {
    let s = bias;
    const off = i * d;
    for (let c = 0; c < d; c++) s += folded[c]! * keys[off + c]! + folded[d + c]! * values[off + c]!;
    for (let f = 0; f < half; f++) {
      const sn = sines[f]!;
      const cs = cosines[f]!;
      s += folded[2 * d + 2 * f]! * sn + folded[2 * d + 2 * f + 1]! * cs;
      sines[f] = sn * stepCos[f]! + cs * stepSin[f]!;
      cosines[f] = cs * stepCos[f]! - sn * stepSin[f]!;
    }
    scores[i] = s;
  }
}

/** The k best indices (higher score, ties to the larger position) in order[0..k). */
export function tsSelectTopK(scores: Float64Array, order: Int32Array, k: number): void {
  const count = scores.length;
  for (let i = 0; i < count; i++) order[i] = i;
  const before = (a: number, b: number) => scores[a]! > scores[b]! || (scores[a] === scores[b] && a > b);
  let lo = 0;
  let hi = count - 1;
  while (lo < hi && k > lo && k <= hi) {
    const a = order[lo]!, b = order[lo + ((hi - lo) >> 1)]!, c = order[hi]!;
    const pivot = before(a, b) !== before(a, c) ? a : before(b, a) !== before(b, c) ? b : c;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (before(order[i]!, pivot)) i++;
      while (before(pivot, order[j]!)) j--;
      if (i <= j) {
        const t = order[i]!;
        order[i] = order[j]!;
        order[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
}
