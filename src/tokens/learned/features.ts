import type { HeadView } from "../trace.js";

/** Sinusoidal position features (KVP-lite uses these instead of a learned position table). */
export const POSITION_FEATURES = 16;

/**
 * Per-token features a learned scorer may use: the key, the value, and 16 sinusoids of the
 * absolute position (periods 2·10000^(2i/16)). Nothing about queries, attention or the future.
 * Row-major [context × featureCount].
 */
export function tokenFeatures(view: HeadView): { data: Float32Array; width: number } {
  const d = view.headDim;
  const width = 2 * d + POSITION_FEATURES;
  const t = view.context;
  const data = new Float32Array(t * width);
  for (let i = 0; i < t; i++) {
    const row = i * width;
    data.set(view.keys.subarray(i * d, (i + 1) * d), row);
    data.set(view.values.subarray(i * d, (i + 1) * d), row + d);
    const pos = view.positions[i]!;
    for (let f = 0; f < POSITION_FEATURES / 2; f++) {
      const angle = pos / 10000 ** ((2 * f) / POSITION_FEATURES);
      data[row + 2 * d + 2 * f] = Math.sin(angle);
      data[row + 2 * d + 2 * f + 1] = Math.cos(angle);
    }
  }
  return { data, width };
}
