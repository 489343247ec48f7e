import { KvsimInputError } from "../errors.js";
import type { Env } from "../envs/spaces.js";
import type { Agent } from "./agent.js";
import { dqnAgent, readDqnFile } from "./dqn-agent.js";
import { weightsName, type TrainedFile, type WeightsSource } from "./trained.js";
import { IdleAgent } from "./idle.js";
import { qTableAgent, readQTable } from "./q-learning.js";
import { NpaLruAgent } from "./npa-lru.js";
import { RandomAgent } from "./random.js";
import { SchedulerAgent } from "./scheduler.js";
import { ServingEnv } from "../envs/serving/serving-env.js";
import { ROUTERS } from "../timed/routers/registry.js";
import { routerAgentInfo } from "./router-agent.js";

export interface AgentOptions {
  /** Trained weights (dqn, qlearning): a `kvsim train` output file, or its name and text. */
  weights?: WeightsSource;
}

export interface AgentInfo {
  name: string;
  summary: string;
  /** Played from `kvsim train` output (`--weights`). */
  needsWeights?: boolean;
  make(env: Env<number[], number>, options: AgentOptions): Agent;
}

/** The "do nothing" action of an environment (its label says so), else 0. */
const idleAction = (env: Env<number[], number>): number => Math.max(0, env.actionSpace.labels?.indexOf("do_nothing") ?? 0);

/** An agent played from `kvsim train` output, which must come from the same environment. */
function trained<T extends TrainedFile>(name: string, summary: string, read: (source: WeightsSource) => T, play: (data: T) => Agent): AgentInfo {
  return {
    name, summary, needsWeights: true,
    make: (env, options) => {
      if (!options.weights) throw new KvsimInputError(`agent "${name}" needs weights: the file kvsim train --agent ${name} writes (--weights FILE on the command line)`);
      const data = read(options.weights); // checks the file's kind first
      if (data.env !== env.id) throw new KvsimInputError(`${weightsName(options.weights)} was trained on ${data.env}, not ${env.id}`);
      return play(data);
    },
  };
}

export const AGENTS: readonly AgentInfo[] = [
  { name: "random", summary: "uniform over the action space, seeded", make: (env) => new RandomAgent(env.actionSpace.n) },
  { name: "idle", summary: "always does nothing: the baseline a score must beat", make: (env) => new IdleAgent(idleAction(env)) },
  {
    name: "vllm", summary: "vLLM-like FCFS scheduler: resume swapped, admit VIP then free above a 5% watermark, swap out on stalls (kvsim/Serving envs)",
    make: (env) => {
      if (!(env instanceof ServingEnv)) throw new KvsimInputError(`agent "vllm" runs on the kvsim/Serving-* environments, not ${env.id}`);
      return new SchedulerAgent(env);
    },
  },
  trained("dqn", "a trained DQN (`kvsim train --agent dqn`), greedy; needs --weights", readDqnFile, dqnAgent),
  trained("qlearning", "a learned Q-table (`kvsim train --agent qlearning`), greedy; needs --weights", readQTable, qTableAgent),
  { name: "npa-lru", summary: "NeuralPagedAttention's LRU heuristic, observation indices fixed (npa envs)", make: () => new NpaLruAgent(false) },
  { name: "npa-lru-compat", summary: "the same with its original index bug (reads obs 14/17 as idle ages)", make: () => new NpaLruAgent(true) },
  ...ROUTERS.map(routerAgentInfo),
];

export function makeAgent(name: string, env: Env<number[], number>, options: AgentOptions = {}): Agent {
  const info = AGENTS.find((a) => a.name === name);
  if (!info) throw new KvsimInputError(`unknown agent "${name}" (known: ${AGENTS.map((a) => a.name).join(", ")})`);
  // Weights given to an agent that plays none would be silently ignored.
  if (options.weights && !info.needsWeights) {
    throw new KvsimInputError(`agent "${name}" plays no trained weights (only ${AGENTS.filter((a) => a.needsWeights).map((a) => a.name).join(", ")} do)`);
  }
  return info.make(env, options);
}
