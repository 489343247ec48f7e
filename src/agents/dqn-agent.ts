import { readTextFile, parseJsonText } from "../json-file.js";
import { KvsimInputError } from "../errors.js";
import type { Agent } from "./agent.js";
import { argmax, mlpForward, type MlpWeights } from "./mlp.js";

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

export function readDqnFile(file: string): DqnFile {
  const data = parseJsonText(readTextFile(file), file) as Partial<DqnFile>;
  if (data.kind !== "kvsim-dqn" || !data.weights?.layers?.length) throw new KvsimInputError(`${file}: not a kvsim DQN weights file`);
  return data as DqnFile;
}

/** Plays greedily with trained DQN weights (plain-TS forward pass; no tensor library needed). */
export class DqnAgent implements Agent {
  readonly name = "dqn";

  constructor(private readonly file: DqnFile) {}

  reset(): void {}

  act(observation: readonly number[]): number {
    return argmax(mlpForward(this.file.weights, observation));
  }
}
