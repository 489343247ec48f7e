import { KvsimInputError } from "../errors.js";
import { AgenticEnv } from "./agentic/agentic-env.js";
import { DIFFICULTIES, type Difficulty } from "./agentic/constants.js";
import { NPA_TASKS } from "./serving/npa/constants.js";
import { NpaServingEnv } from "./serving/npa/npa-env.js";
import { ServingEnv } from "./serving/serving-env.js";
import type { Env, Space } from "./spaces.js";

/** An env whose action is one id of a `Discrete` space (the serving envs): what RL agents play. */
export type DiscreteEnv = Env<number[], number>;

/** Any registered env: discrete, or tool-calling (a list of `[tool, slot]` calls per step). */
export type AnyEnv = DiscreteEnv | AgenticEnv;

export interface EnvSpec {
  id: string;
  summary: string;
  /** `discrete`: played by RL agents and heuristics; `tool-calling`: by LLMs (`kvsim eval`), scripted policies or RL agents. */
  kind: "discrete" | "tool-calling";
  /** Tool-calling envs: the scenarios' difficulty ("all": easy, medium, hard by seed mod 3). */
  difficulty?: Difficulty | "all";
  make(): AnyEnv;
}

/** Every environment, under a versioned id (Gymnasium's `namespace/Name-vN`), registered once. */
export const ENVS: readonly EnvSpec[] = [
  ...NPA_TASKS.map((task): EnvSpec => ({
    id: `kvsim/Serving-${task}-v0`, kind: "discrete",
    summary: `the ${task} task on the WASM block pool with prefix caching, corrected semantics and an SLO score (docs/envs.md)`,
    make: () => new ServingEnv({ task }),
  })),
  ...NPA_TASKS.map((task): EnvSpec => ({
    id: `kvsim/Serving-npa-${task}-v0`, kind: "discrete",
    summary: `NeuralPagedAttention's ${task} task, reproduced step for step (its quirks included; docs/envs.md)`,
    make: () => new NpaServingEnv({ task }),
  })),
  {
    id: "kvsim/Agentic-v0", kind: "tool-calling", difficulty: "all",
    summary: "kv_cache_eviction's tool-calling env; difficulty from env args (default: all, interleaved)",
    make: () => new AgenticEnv("kvsim/Agentic-v0", { difficulty: "all" }),
  },
  ...DIFFICULTIES.map((difficulty): EnvSpec => ({
    id: `kvsim/Agentic-${difficulty}-v0`, kind: "tool-calling", difficulty, summary: `the agentic env, ${difficulty} scenarios only`,
    make: () => new AgenticEnv(`kvsim/Agentic-${difficulty}-v0`, { difficulty }),
  })),
];

/** The registered env of this id, or an input error listing them. */
export function envSpec(id: string): EnvSpec {
  const spec = ENVS.find((e) => e.id === id);
  if (!spec) throw new KvsimInputError(`unknown environment "${id}" (known: ${ENVS.map((e) => e.id).join(", ")})`);
  return spec;
}

/**
 * A fresh environment by id, e.g. `make("kvsim/Serving-npa-medium-v0")`; call `reset()` before
 * `step()`. An id written out in the code gets its env's type (ids are named by kind: every
 * `kvsim/Agentic-*` is tool-calling, every `kvsim/Serving-*` discrete; a test holds the registry to it).
 */
export function make(id: `kvsim/Agentic${string}`): AgenticEnv;
export function make(id: `kvsim/Serving${string}`): DiscreteEnv;
export function make(id: string): AnyEnv;
export function make(id: string): AnyEnv {
  return envSpec(id).make();
}

/** Whether an env takes one `Discrete` action per step. */
export function isDiscrete(env: Env<number[], unknown, Record<string, unknown>, Space>): env is DiscreteEnv {
  return env.actionSpace.type === "Discrete";
}

/** A discrete env by id; a tool-calling id is an input error that says where it is played. */
export function makeDiscrete(id: string): DiscreteEnv {
  const spec = envSpec(id);
  if (spec.kind !== "discrete") {
    throw new KvsimInputError(`"${id}" is a tool-calling environment: play it with \`kvsim eval\` (or make("${id}") in code)`);
  }
  return spec.make() as DiscreteEnv;
}
