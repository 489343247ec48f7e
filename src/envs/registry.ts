import { KvsimInputError } from "../errors.js";
import { AgenticEnv } from "./agentic/agentic-env.js";
import { DIFFICULTIES, type Difficulty } from "./agentic/constants.js";
import { FleetRouteEnv } from "./fleet/fleet-env.js";
import { FLEET_DEFAULTS, type FleetEnvOptions } from "./fleet/setup.js";
import { NPA_TASKS } from "./serving/npa/constants.js";
import { NpaServingEnv } from "./serving/npa/npa-env.js";
import { SERVING_CACHE_POLICIES, ServingEnv } from "./serving/serving-env.js";
import type { Env, Space } from "./spaces.js";

/** An env whose action is one id of a `Discrete` space (the serving and fleet envs): what RL agents play. */
export type DiscreteEnv = Env<number[], number>;

/** Any registered env: discrete, or tool-calling (a list of `[tool, slot]` calls per step). */
export type AnyEnv = DiscreteEnv | AgenticEnv;

/** What `make(id, options)` passes on to an env (Gymnasium's `make(id, **kwargs)`). */
export type EnvOptions = Record<string, unknown>;

export interface EnvSpec {
  id: string;
  summary: string;
  /** The options the env takes, with what each does. */
  options: Record<string, string>;
  /** `discrete`: played by RL agents and heuristics; `tool-calling`: by LLMs (`kvsim eval`), scripted policies or RL agents. */
  kind: "discrete" | "tool-calling";
  /** Tool-calling envs: the scenarios' difficulty ("all": easy, medium, hard by seed mod 3). */
  difficulty?: Difficulty | "all";
  make(options: EnvOptions): AnyEnv;
}

const CACHE_POLICY = {
  cachePolicy: `which free cached block the pool gives up first: ${SERVING_CACHE_POLICIES.join(", ")} (default lru, vLLM's order)`,
  cachePolicyParams: "the cache policy's parameters, e.g. { small_ratio: 0.2 } for s3fifo (docs/policies.md)",
};

const FLEET_OPTIONS: Record<keyof FleetEnvOptions, string> = {
  instances: `instances to route among, the actions (2 to 16; default ${FLEET_DEFAULTS.instances})`,
  requests: `requests per episode, one step each (default ${FLEET_DEFAULTS.requests})`,
  hostBlocks: "blocks of each instance's host tier below its GPU cache (0: none)",
  sharedBlocks: "with hostBlocks: blocks of one store below the host tiers that every instance shares over 100 Gb/s RDMA (0: none)",
};

/** The fleet envs by name: the default GPU-only fleet, and the same with a host tier of 2,400 blocks (four GPU caches) per instance. */
const FLEET_VARIANTS: Record<string, FleetEnvOptions> = { route: {}, "route-host": { hostBlocks: 2400 } };

/** Every environment, under a versioned id (Gymnasium's `namespace/Name-vN`), registered once. */
export const ENVS: readonly EnvSpec[] = [
  ...NPA_TASKS.map((task): EnvSpec => ({
    id: `kvsim/Serving-${task}-v0`, kind: "discrete", options: CACHE_POLICY,
    summary: `the ${task} task on the WASM block pool with prefix caching, corrected semantics and an SLO score (docs/envs.md)`,
    make: (options) => new ServingEnv({
      task, cachePolicy: options["cachePolicy"] as string | undefined,
      cachePolicyParams: options["cachePolicyParams"] as Record<string, number> | undefined,
    }),
  })),
  ...NPA_TASKS.map((task): EnvSpec => ({
    id: `kvsim/Serving-npa-${task}-v0`, kind: "discrete", options: {},
    summary: `NeuralPagedAttention's ${task} task, reproduced step for step (its quirks included; docs/envs.md)`,
    make: () => new NpaServingEnv({ task }),
  })),
  ...Object.entries(FLEET_VARIANTS).map(([name, preset]): EnvSpec => ({
    id: `kvsim/Fleet-${name}-v0`, kind: "discrete", options: FLEET_OPTIONS,
    summary: `route each arriving chat request to one of N vLLM instances on the timed simulator${preset.hostBlocks ? ", each with a host tier" : ""}; reward: requests meeting the TTFT and TPOT SLOs (docs/envs.md)`,
    make: (options) => new FleetRouteEnv(`kvsim/Fleet-${name}-v0`, { ...preset, ...(options as FleetEnvOptions) }),
  })),
  {
    id: "kvsim/Agentic-v0", kind: "tool-calling", difficulty: "all", options: {},
    summary: "kv_cache_eviction's tool-calling env; difficulty from env args (default: all, interleaved)",
    make: () => new AgenticEnv("kvsim/Agentic-v0", { difficulty: "all" }),
  },
  ...DIFFICULTIES.map((difficulty): EnvSpec => ({
    id: `kvsim/Agentic-${difficulty}-v0`, kind: "tool-calling", difficulty, options: {}, summary: `the agentic env, ${difficulty} scenarios only`,
    make: () => new AgenticEnv(`kvsim/Agentic-${difficulty}-v0`, { difficulty }),
  })),
];

/** The ids of the registered envs of one kind. */
export const envIds = (kind: EnvSpec["kind"]): string[] => ENVS.filter((e) => e.kind === kind).map((e) => e.id);

/** The registered env of this id, or an input error listing them. */
export function envSpec(id: string): EnvSpec {
  const spec = ENVS.find((e) => e.id === id);
  if (!spec) throw new KvsimInputError(`unknown environment "${id}" (known: ${ENVS.map((e) => e.id).join(", ")})`);
  return spec;
}

/** The spec, once every option given is one the env takes. */
function checkedSpec(id: string, options: EnvOptions): EnvSpec {
  const spec = envSpec(id);
  const known = Object.keys(spec.options);
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new KvsimInputError(`${id} has no option "${key}" (options: ${known.length ? known.join(", ") : "none"})`);
  }
  return spec;
}

/**
 * A fresh environment by id, e.g. `make("kvsim/Serving-medium-v0", { cachePolicy: "s3fifo" })`;
 * call `reset()` before `step()`. An id written out in the code gets its env's type (ids are named
 * by kind: every `kvsim/Agentic-*` is tool-calling, every `kvsim/Serving-*` and `kvsim/Fleet-*`
 * discrete; a test holds the registry to it).
 */
export function make(id: `kvsim/Agentic${string}`, options?: EnvOptions): AgenticEnv;
export function make(id: `kvsim/Serving${string}` | `kvsim/Fleet${string}`, options?: EnvOptions): DiscreteEnv;
export function make(id: string, options?: EnvOptions): AnyEnv;
export function make(id: string, options: EnvOptions = {}): AnyEnv {
  return checkedSpec(id, options).make(options);
}

/** Whether an env takes one `Discrete` action per step. */
export function isDiscrete(env: Env<number[], unknown, Record<string, unknown>, Space>): env is DiscreteEnv {
  return env.actionSpace.type === "Discrete";
}

/** A discrete env by id; a tool-calling id is an input error that says where it is played. */
export function makeDiscrete(id: string, options: EnvOptions = {}): DiscreteEnv {
  const spec = checkedSpec(id, options);
  if (spec.kind !== "discrete") {
    throw new KvsimInputError(`"${id}" is a tool-calling environment: play it with \`kvsim eval\` (or make("${id}") in code)`);
  }
  return spec.make(options) as DiscreteEnv;
}
