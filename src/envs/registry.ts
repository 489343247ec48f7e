import { KvsimInputError } from "../errors.js";
import { AgenticEnv } from "./agentic/agentic-env.js";
import { DIFFICULTIES, type Difficulty } from "./agentic/constants.js";
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

export interface AgenticEnvSpec {
  id: string;
  summary: string;
  difficulty: Difficulty | "all";
}

/** The tool-calling environments (kv_cache_eviction): played by LLMs (`kvsim eval`), scripted policies or RL agents. */
export const AGENTIC_ENVS: readonly AgenticEnvSpec[] = [
  { id: "kvsim/Agentic-v0", summary: "kv_cache_eviction's tool-calling env; difficulty from env args (default: all, interleaved)", difficulty: "all" },
  ...DIFFICULTIES.map((difficulty) => ({ id: `kvsim/Agentic-${difficulty}-v0`, summary: `the agentic env, ${difficulty} scenarios only`, difficulty })),
];

/** The agentic environment by id, in Gymnasium's shape (list-of-tool-calls actions). */
export function makeAgentic(id: string, options: { evictionQualityScale?: number } = {}): AgenticEnv {
  const spec = AGENTIC_ENVS.find((e) => e.id === id);
  if (!spec) throw new KvsimInputError(`unknown agentic environment "${id}" (known: ${AGENTIC_ENVS.map((e) => e.id).join(", ")})`);
  return new AgenticEnv(id, { ...options, difficulty: spec.difficulty });
}

/** A fresh environment by id, e.g. `make("kvsim/Serving-npa-medium-v0")`; call `reset()` before `step()`. */
export function make(id: string): Env<number[], number> {
  const spec = ENVS.find((e) => e.id === id);
  if (!spec && AGENTIC_ENVS.some((e) => e.id === id)) {
    throw new KvsimInputError(`"${id}" is a tool-calling environment: use makeAgentic() in code, \`kvsim eval\` on the command line`);
  }
  if (!spec) throw new KvsimInputError(`unknown environment "${id}" (known: ${ENVS.map((e) => e.id).join(", ")})`);
  return spec.make();
}
