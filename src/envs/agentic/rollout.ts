import { AgenticEpisode, type EpisodeOptions, type ToolCallRecord } from "./episode.js";
import type { AgenticPolicy } from "./policies/policy.js";
import type { Metrics } from "./rubric.js";
import type { ScenarioRow } from "./scenario.js";

export type { ToolCallRecord };

/** One rollout's outcome, whoever played it (`kvsim eval` writes it in verifiers' layout, src/eval/verifiers-output.ts). */
export interface RolloutRecord {
  example_id: number;
  rollout: number;
  difficulty: string;
  scenario_seed: number;
  memory_budget: number;
  reward: number;
  metrics: Metrics;
  tool_calls: ToolCallRecord[];
}

/** The seed a rollout's policy gets: rows and rollouts never share one. */
export function rolloutSeed(row: ScenarioRow, rollout: number): number {
  return (row.scenarioSeed ^ Math.imul(rollout + 1, 0x9e3779b1)) >>> 0;
}

/** Plays a scripted policy through a whole episode; `record` keeps every tool call. */
export function playScripted(row: ScenarioRow, policy: AgenticPolicy, rollout = 0, options: EpisodeOptions = {}): RolloutRecord {
  const episode = new AgenticEpisode(row, options);
  policy.reset(rolloutSeed(row, rollout));
  while (!episode.done) {
    policy.playTurn(episode);
    episode.endTurn();
  }
  const { reward, metrics } = episode.score();
  return {
    example_id: row.index, rollout, difficulty: row.difficulty, scenario_seed: row.scenarioSeed,
    memory_budget: episode.sim.memoryBudget, reward, metrics, tool_calls: episode.calls,
  };
}
