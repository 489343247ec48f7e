import { actionRows, type ActionFeatures } from "./action-rows.js";
import type { Agent } from "./agent.js";
import { mlpForward, type MlpWeights } from "./mlp.js";
import { GreedyAgent, readTrained, type WeightsSource } from "./trained.js";

/** What `kvsim train --agent dqn` writes: the network, where it was trained, and its learning curve. */
export interface DqnFile {
  kind: "kvsim-dqn";
  env: string;
  observation: number;
  actions: number;
  hidden: number[];
  steps: number;
  seed: number;
  weights: MlpWeights;
  /**
   * Present when the network scores each action from its own block of the observation and the
   * shared values (`--q-network per-action`): one output, the same weights for every action.
   */
  perAction?: ActionFeatures;
  /** Score (and return) of each training episode, in order. */
  curve: { episode: number; step: number; score: number; return: number }[];
}

export function readDqnFile(file: WeightsSource): DqnFile {
  return readTrained<DqnFile>(file, "kvsim-dqn", (d) => Boolean(d.weights?.layers?.length));
}

/** The Q-values of every action in state `obs`, by the trained network. */
export function qValues(weights: MlpWeights, obs: readonly number[], actions: number, perAction?: ActionFeatures): number[] {
  if (!perAction) return mlpForward(weights, obs);
  const d = perAction.perAction + perAction.shared;
  const rows = actionRows(obs, 1, actions, perAction, new Float32Array(actions * d));
  return Array.from({ length: actions }, (_, a) => mlpForward(weights, Array.from(rows.subarray(a * d, (a + 1) * d)))[0]!);
}

/** Plays greedily with trained DQN weights (plain-TS forward pass; no tensor library needed). */
export const dqnAgent = (file: DqnFile): Agent => new GreedyAgent("dqn", (obs) => qValues(file.weights, obs, file.actions, file.perAction));
