import { KvsimInputError } from "../errors.js";
import { NPA_TASKS } from "./serving/npa/constants.js";
import { NpaServingEnv } from "./serving/npa/npa-env.js";
import { ServingEnv } from "./serving/serving-env.js";
import type { Env } from "./spaces.js";

export interface EnvSpec {
  id: string;
  summary: string;
  make(): Env<number[], number>;
}

/** Every environment, under a versioned id (Gymnasium's `namespace/Name-vN`). */
export const ENVS: readonly EnvSpec[] = [
  ...NPA_TASKS.map((task) => ({
    id: `kvsim/Serving-${task}-v0`,
    summary: `the ${task} task on the WASM block pool with prefix caching, corrected semantics and an SLO score (docs/envs.md)`,
    make: () => new ServingEnv({ task }),
  })),
  ...NPA_TASKS.map((task) => ({
    id: `kvsim/Serving-npa-${task}-v0`,
    summary: `NeuralPagedAttention's ${task} task, reproduced step for step (its quirks included; docs/envs.md)`,
    make: () => new NpaServingEnv({ task }),
  })),
];

/** A fresh environment by id, e.g. `make("kvsim/Serving-npa-medium-v0")`; call `reset()` before `step()`. */
export function make(id: string): Env<number[], number> {
  const spec = ENVS.find((e) => e.id === id);
  if (!spec) throw new KvsimInputError(`unknown environment "${id}" (known: ${ENVS.map((e) => e.id).join(", ")})`);
  return spec.make();
}
