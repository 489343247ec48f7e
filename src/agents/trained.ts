import { KvsimInputError } from "../errors.js";
import { parseJsonText, readTextFile } from "../json-file.js";
import type { Agent } from "./agent.js";
import { argmax } from "./mlp.js";

/** What every `kvsim train` output starts with. */
export interface TrainedFile {
  kind: string;
  env: string;
}

/** Reads a `kvsim train` output of the given kind; `valid` checks its payload. */
export function readTrained<T extends TrainedFile>(file: string, kind: string, valid: (data: Partial<T>) => boolean): T {
  const data = parseJsonText(readTextFile(file), file) as Partial<T>;
  if (data.kind !== kind || typeof data.env !== "string" || !valid(data)) throw new KvsimInputError(`${file}: not a ${kind} file (from kvsim train)`);
  return data as T;
}

/** Plays the action of largest value, as a learned value function rates them. */
export class GreedyAgent implements Agent {
  constructor(readonly name: string, private readonly values: (observation: readonly number[]) => number[]) {}

  reset(): void {}

  act(observation: readonly number[]): number {
    return argmax(this.values(observation));
  }
}
