import type { Trace } from "../traces/trace.js";
import { HierarchyEngine } from "../wasm/hierarchy.js";
import { runJobs, type JobOutcome, type SweepJob } from "./job.js";
import type { SweepPlan, SweepRow } from "./plan.js";
import { toResult, type SweepResult } from "./result.js";
import { summarize, type SummaryRow } from "./summary.js";
import { dispatchBatches, failedIfThrown, type BatchExecutor, type BatchRun } from "./dispatch.js";

export type { BatchRun } from "./dispatch.js";

/** Runs batches of jobs: a Piscina pool in Node, Web Workers in the browser, or one engine in-thread. */
export type Executor = BatchExecutor<SweepJob, JobOutcome>;

export interface SweepFailure {
  row: number;
  key: string;
  error: string;
}

/** Rows per batch: enough batches to balance the threads, few enough that task overhead stays small. */
const BATCHES_PER_THREAD = 8;
/** A batch closes at this many accesses even if it has fewer rows (big traces run alone). */
const BATCH_ACCESSES = 2_000_000;

export function makeBatches(rows: readonly SweepRow[], plan: SweepPlan, threads: number): SweepRow[][] {
  const target = Math.max(1, Math.ceil(rows.length / (threads * BATCHES_PER_THREAD)));
  const out: SweepRow[][] = [];
  let batch: SweepRow[] = [];
  let accesses = 0;
  for (const row of rows) {
    batch.push(row);
    accesses += plan.traces[row.traceId]!.accesses.length;
    if (batch.length >= target || accesses >= BATCH_ACCESSES) {
      out.push(batch);
      batch = [];
      accesses = 0;
    }
  }
  if (batch.length) out.push(batch);
  return out;
}

/** What a worker needs to run one row of the plan. */
export const sweepJob = (row: SweepRow, plan: SweepPlan): SweepJob => ({
  row: row.index, scenario: row.scenario, traceId: row.traceId, policy: row.policyName, params: row.params,
  profile: plan.profile, seed: row.seed ?? 0,
});

/**
 * One engine on the calling thread. Each batch first waits for `defer` (setImmediate in Node, a
 * timer in a page) so that the caller stays responsive and can stop between batches.
 */
export function inlineExecutor(traces: readonly Trace[], defer: (run: () => void) => void): Executor {
  const engine = new HierarchyEngine();
  return {
    run: (jobs, stopped) => new Promise((resolve) => defer(() => resolve(stopped() ? [] : runJobs(jobs, traces, engine)))),
    destroy: async () => {},
  };
}

/**
 * Runs every batch on the executor at once (the executor queues them) and hands each batch's
 * results to `onBatch`, in completion order. A batch whose worker dies fails its rows, never the
 * sweep. Aborting `signal` — also before the call — stops dispatching and drops what is still
 * running; the executor is destroyed in every case.
 */
export async function runBatches(plan: SweepPlan, batches: readonly SweepRow[][], executor: Executor, signal: AbortSignal | undefined,
  onBatch: (finished: SweepResult[], failures: SweepFailure[]) => void): Promise<BatchRun> {
  let workMs = 0;
  const run = await dispatchBatches(batches.map((batch) => batch.map((row) => sweepJob(row, plan))), executor, signal, (jobs, outcomes) => {
    const finished: SweepResult[] = [];
    const failures: SweepFailure[] = [];
    for (const o of failedIfThrown(jobs, outcomes)) {
      const row = plan.rows[o.row]!; // a row's index is its position in the plan
      workMs += o.ms;
      if (o.metrics) finished.push(toResult(row, plan.profile, o.metrics));
      else failures.push({ row: row.index, key: row.key, error: o.error ?? "unknown error" });
    }
    onBatch(finished, failures);
  });
  return { workMs, interrupted: run.interrupted };
}

/** How a sweep ended: interrupted, or complete unless a row failed. */
export type SweepStatus = "complete" | "failed" | "interrupted";

/** Puts a finished sweep's results and failures in row order (in place) and summarises it. */
export function concludeSweep(results: SweepResult[], failures: SweepFailure[], interrupted: boolean): { status: SweepStatus; summary: SummaryRow[] } {
  results.sort((a, b) => a.row - b.row);
  failures.sort((a, b) => a.row - b.row);
  return { status: interrupted ? "interrupted" : failures.length ? "failed" : "complete", summary: summarize(results) };
}
