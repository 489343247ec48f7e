import type { Scenario } from "../hierarchy/scenario.js";
import type { Profile } from "../policies/registry.js";
import { simulate, type Metrics, type SimulateOptions } from "../simulate.js";
import type { Trace } from "../traces/trace.js";
import type { HierarchyEngine } from "../wasm/hierarchy.js";

/** One row as a worker runs it: everything needed, nothing it could get wrong by itself. */
export interface SweepJob {
  row: number;
  scenario: Scenario;
  traceId: number;
  policy: string;
  params: Record<string, number>;
  profile: Profile;
  seed: number;
}

export interface JobOutcome {
  row: number;
  metrics?: Metrics;
  /** Set instead of metrics when the run threw; the sweep reports it and goes on. */
  error?: string;
  /** Wall time of the run inside the worker (timing only; never written to byte-compared files). */
  ms: number;
}

/** The simulate() call a job stands for. */
export const jobSimulation = (job: SweepJob, trace: Trace): SimulateOptions => ({
  scenario: job.scenario, trace, policy: job.policy, params: job.params, profile: job.profile, seed: job.seed,
});

/** Runs a batch of jobs on one engine instance, catching each job's failure separately. */
export function runJobs(jobs: readonly SweepJob[], traces: readonly Trace[], engine: HierarchyEngine): JobOutcome[] {
  return jobs.map((job) => {
    const t0 = performance.now();
    try {
      const trace = traces[job.traceId];
      if (!trace) throw new Error(`no trace ${job.traceId}`);
      const { metrics } = simulate({ ...jobSimulation(job, trace), engine });
      return { row: job.row, metrics, ms: performance.now() - t0 };
    } catch (err) {
      return { row: job.row, error: err instanceof Error ? err.message : String(err), ms: performance.now() - t0 };
    }
  });
}
