import type { Scenario } from "./hierarchy/scenario.js";
import { policyInfo, resolvePolicyParams, type Profile } from "./policies/registry.js";
import { simulate, type Metrics, type SimulationEvent } from "./simulate.js";
import type { Trace } from "./traces/trace.js";
import type { HierarchyEngine } from "./wasm/hierarchy.js";

/** One replay as reported by `kvsim run --json` and stored by comparisons and sweeps. */
export interface RunRecord {
  scenario: string;
  workload: string;
  policy: string;
  profile: Profile;
  params: Record<string, number>;
  seed: number;
  metrics: Metrics;
  /** Wall time of the whole call (setup + replay), ms. */
  elapsedMs: number;
  /** Accesses per second of the replay alone. */
  accessesPerSecond: number;
  /** The first transfers of the run, when asked for (`eventCapacity`). */
  events?: SimulationEvent[];
}

export interface RunSpec {
  scenario: Scenario;
  trace: Trace;
  workload?: string;
  policy: string;
  params?: Record<string, unknown>;
  profile?: Profile;
  seed?: number;
  engine?: HierarchyEngine;
  /** Keep up to this many transfer events in the record. */
  eventCapacity?: number;
}

export function runRecord(spec: RunSpec): RunRecord {
  const profile = spec.profile ?? "kvsim";
  const params = resolvePolicyParams(policyInfo(spec.policy), spec.params, profile);
  const seed = spec.seed ?? 0;
  const t0 = performance.now();
  const result = simulate({ ...spec, params, profile, seed });
  const elapsedMs = performance.now() - t0;
  const record: RunRecord = {
    scenario: spec.scenario.name,
    workload: spec.workload ?? spec.trace.name,
    policy: spec.policy,
    profile,
    params,
    seed,
    metrics: result.metrics,
    elapsedMs,
    accessesPerSecond: result.replayMs > 0 ? result.metrics.accesses / (result.replayMs / 1000) : 0,
  };
  if (result.events) record.events = result.events;
  return record;
}
