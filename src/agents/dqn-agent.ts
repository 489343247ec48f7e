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
  /** Score (and return) of each training episode, in order. */
  curve: { episode: number; step: number; score: number; return: number }[];
}

export function readDqnFile(file: WeightsSource): DqnFile {
  return readTrained<DqnFile>(file, "kvsim-dqn", (d) => Boolean(d.weights?.layers?.length));
}

/** Plays greedily with trained DQN weights (plain-TS forward pass; no tensor library needed). */
export const dqnAgent = (file: DqnFile): Agent => new GreedyAgent("dqn", (obs) => mlpForward(file.weights, obs));
