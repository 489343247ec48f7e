import type { AgenticEpisode } from "../episode.js";

/** A built-in (scripted) policy: plays one turn's tool calls on the episode, without ending the turn. */
export interface AgenticPolicy {
  readonly name: string;
  /** Called before each rollout with its seed. */
  reset(seed: number): void;
  playTurn(episode: AgenticEpisode): void;
}
