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
