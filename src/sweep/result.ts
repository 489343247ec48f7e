import type { Profile } from "../policies/registry.js";
import type { Metrics } from "../simulate.js";
import type { SweepRow } from "./plan.js";

/**
 * One finished row, as a line of `results.jsonl`. Deterministic: no timings, nothing that depends
 * on the thread count or the machine, so two runs of a spec give byte-identical files.
 */
export interface SweepResult {
  row: number;
  key: string;
  scenario: string;
  workload: string;
  /** The policy's label in the spec. */
  policy: string;
  policyName: string;
  profile: Profile;
  params: Record<string, number>;
  seed: number | null;
  metrics: Metrics;
}

export function toResult(row: SweepRow, profile: Profile, metrics: Metrics): SweepResult {
  return {
    row: row.index, key: row.key, scenario: row.scenario.name, workload: row.workload, policy: row.policy,
    policyName: row.policyName, profile, params: row.params, seed: row.seed, metrics,
  };
}

export const resultLine = (r: { row: number }): string => JSON.stringify(r) + "\n";

/** `results.jsonl` in its canonical form, rows in order: what every thread count, machine and browser produce. */
export const resultsJsonl = (results: readonly { row: number }[]): string => [...results].sort((a, b) => a.row - b.row).map(resultLine).join("");
