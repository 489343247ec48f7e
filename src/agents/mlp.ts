/**
 * A small multilayer perceptron in plain TypeScript: the forward pass of a trained DQN, so that
 * playing (in Node or a browser) needs only the weights JSON, not a tensor library.
 * Hidden layers use ReLU; the last layer is linear.
 */
export interface MlpWeights {
  /** Per layer: kernel as rows of `inputs` arrays of `units` values, then a bias of `units`. */
  layers: { kernel: number[][]; bias: number[] }[];
}

export function mlpForward(weights: MlpWeights, input: readonly number[]): number[] {
  let x: readonly number[] = input;
  weights.layers.forEach((layer, l) => {
    const units = layer.bias.length;
    const out = layer.bias.slice();
    for (let i = 0; i < x.length; i++) {
      const xi = x[i]!;
      if (xi === 0) continue;
      const row = layer.kernel[i]!;
      for (let j = 0; j < units; j++) out[j]! += xi * row[j]!;
    }
    if (l < weights.layers.length - 1) for (let j = 0; j < units; j++) out[j] = Math.max(0, out[j]!);
    x = out;
  });
  return x as number[];
}

export function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}
