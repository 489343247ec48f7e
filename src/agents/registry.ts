import { KvsimInputError } from "../errors.js";
import type { Env } from "../envs/spaces.js";
import type { Agent } from "./agent.js";
import { DqnAgent, readDqnFile } from "./dqn-agent.js";
import { IdleAgent } from "./idle.js";
import { QTableAgent, readQTable } from "./q-learning.js";
import { NpaLruAgent } from "./npa-lru.js";
import { RandomAgent } from "./random.js";
import { SchedulerAgent } from "./scheduler.js";
import { ServingEnv } from "../envs/serving/serving-env.js";

export interface AgentOptions {
  /** Trained weights (dqn). */
  weights?: string;
}

export interface AgentInfo {
  name: string;
  summary: string;
  make(env: Env<number[], number>, options: AgentOptions): Agent;
}

/** The "do nothing" action of an environment (its label says so), else 0. */
const idleAction = (env: Env<number[], number>): number => Math.max(0, env.actionSpace.labels?.indexOf("do_nothing") ?? 0);

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
  {
    name: "dqn", summary: "a trained DQN (`kvsim train --agent dqn`), greedy; needs --weights",
    make: (env, options) => {
      if (!options.weights) throw new KvsimInputError(`agent "dqn" needs --weights FILE (from kvsim train --agent dqn)`);
      const file = readDqnFile(options.weights);
      if (file.env !== env.id) throw new KvsimInputError(`${options.weights} was trained on ${file.env}, not ${env.id}`);
      return new DqnAgent(file);
    },
  },
  {
    name: "qlearning", summary: "a learned Q-table (`kvsim train --agent qlearning`), greedy; needs --weights",
    make: (env, options) => {
      if (!options.weights) throw new KvsimInputError(`agent "qlearning" needs --weights FILE (from kvsim train --agent qlearning)`);
      const table = readQTable(options.weights);
      if (table.env !== env.id) throw new KvsimInputError(`${options.weights} was trained on ${table.env}, not ${env.id}`);
      return new QTableAgent(table);
    },
  },
  { name: "npa-lru", summary: "NeuralPagedAttention's LRU heuristic, observation indices fixed (npa envs)", make: () => new NpaLruAgent(false) },
  { name: "npa-lru-compat", summary: "the same with its original index bug (reads obs 14/17 as idle ages)", make: () => new NpaLruAgent(true) },
];

export function makeAgent(name: string, env: Env<number[], number>, options: AgentOptions = {}): Agent {
  const info = AGENTS.find((a) => a.name === name);
  if (!info) throw new KvsimInputError(`unknown agent "${name}" (known: ${AGENTS.map((a) => a.name).join(", ")})`);
  return info.make(env, options);
}
