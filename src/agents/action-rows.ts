/**
 * An observation made of one block of values per action, then values shared by all actions (the
 * fleet env's: each instance's load and cached prefix, then the request): a learner can score
 * each action from its own block and the shared values with one set of weights, so what it learns
 * of one instance holds for every other (a Q-network equivariant to the instances' order).
 */
export interface ActionFeatures {
  /** Values per action, the first `actions × perAction` of the observation, action by action. */
  perAction: number;
  /** Values after them, shared by every action. */
  shared: number;
}

/** The env's per-action layout, when it declares one. */
export const actionFeaturesOf = (env: object): ActionFeatures | undefined => (env as { actionFeatures?: ActionFeatures }).actionFeatures;

/**
 * Writes the input rows of `count` observations (`observations`, each `actions × perAction +
 * shared` long) to `out`: per observation, one row per action of its block and the shared values.
 */
export function actionRows(observations: ArrayLike<number>, count: number, actions: number, layout: ActionFeatures, out: Float32Array): Float32Array {
  const { perAction, shared } = layout;
  const obsDim = actions * perAction + shared;
  const rowDim = perAction + shared;
  for (let o = 0; o < count; o++) {
    const base = o * obsDim;
    for (let a = 0; a < actions; a++) {
      const row = (o * actions + a) * rowDim;
      for (let k = 0; k < perAction; k++) out[row + k] = observations[base + a * perAction + k]!;
      for (let k = 0; k < shared; k++) out[row + perAction + k] = observations[base + actions * perAction + k]!;
    }
  }
  return out;
}
