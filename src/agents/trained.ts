import { KvsimInputError } from "../errors.js";
import { parseJsonText, readTextFile } from "../json-file.js";
import type { Agent } from "./agent.js";
import { argmax } from "./mlp.js";

/** What every `kvsim train` output starts with. */
export interface TrainedFile {
  kind: string;
  env: string;
}

/** A `kvsim train` output: its path (Node), or its name and text (a file picked in a page). */
export type WeightsSource = string | { name: string; text: string };

export const weightsName = (source: WeightsSource): string => (typeof source === "string" ? source : source.name);

/** Reads a `kvsim train` output of the given kind; `valid` checks its payload. */
export function readTrained<T extends TrainedFile>(source: WeightsSource, kind: string, valid: (data: Partial<T>) => boolean): T {
  const file = weightsName(source);
  const data = parseJsonText(typeof source === "string" ? readTextFile(source) : source.text, file) as Partial<T> | null;
  if (data?.kind !== kind || typeof data.env !== "string" || !valid(data)) throw new KvsimInputError(`${file}: not a ${kind} file (from kvsim train)`);
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
