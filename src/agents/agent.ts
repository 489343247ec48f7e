import type { Env, StepResult } from "../envs/spaces.js";

/** A policy over a discrete action space. */
export interface Agent {
  readonly name: string;
  /** Called at every reset, with the episode's seed. */
  reset(seed: number): void;
  act(observation: readonly number[]): number;
}

export interface EpisodeResult {
  steps: number;
  /** Sum of the rewards (undiscounted). */
  return: number;
  terminated: boolean;
  truncated: boolean;
}

export interface EpisodeHooks<I> {
  /** Called before step t (from 0) is taken; throwing ends the episode there (a step limit). */
  beforeStep?(t: number): void;
  /** Called after every step with its index, the action and what the env returned. */
  onStep?(t: number, action: number, result: StepResult<number[], I>): void;
}

/** Plays one episode of `env` with `agent` from `seed`. */
export function runEpisode<I>(env: Env<number[], number, I>, agent: Agent, seed: number, hooks: EpisodeHooks<I> = {}): EpisodeResult {
  let { observation } = env.reset({ seed });
  agent.reset(seed);
  let total = 0;
  for (let t = 0; ; t++) {
    hooks.beforeStep?.(t);
    const action = agent.act(observation);
    const r = env.step(action);
    total += r.reward;
    hooks.onStep?.(t, action, r);
    observation = r.observation;
    if (r.terminated || r.truncated) return { steps: t + 1, return: total, terminated: r.terminated, truncated: r.truncated };
  }
}
