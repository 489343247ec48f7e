import type { Env } from "../envs/spaces.js";

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

/** Plays one episode of `env` with `agent` from `seed`. */
export function runEpisode(env: Env<number[], number>, agent: Agent, seed: number): EpisodeResult {
  let { observation } = env.reset({ seed });
  agent.reset(seed);
  let total = 0;
  let steps = 0;
  for (;;) {
    const r = env.step(agent.act(observation));
    total += r.reward;
    steps++;
    observation = r.observation;
    if (r.terminated || r.truncated) return { steps, return: total, terminated: r.terminated, truncated: r.truncated };
  }
}
