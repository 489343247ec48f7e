import type { JobOutcome, SweepJob } from "./job.js";
import type { SweepPlan, SweepRow } from "./plan.js";
import { toResult, type SweepResult } from "./result.js";

/** Runs batches of jobs: a Piscina pool in Node, Web Workers in the browser, or one engine in-thread. */
export interface Executor {
  /** Runs a batch; `stopped` lets an in-thread executor skip work after an interrupt. */
  run(jobs: SweepJob[], stopped: () => boolean): Promise<JobOutcome[]>;
  destroy(): Promise<void>;
}

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

const toJob = (row: SweepRow, plan: SweepPlan): SweepJob => ({
  row: row.index, scenario: row.scenario, traceId: row.traceId, policy: row.policyName, params: row.params,
  profile: plan.profile, seed: row.seed ?? 0,
});

export interface BatchHooks {
  stopped(): boolean;
  /** Called once per finished batch, in completion order. */
  onBatch(finished: SweepResult[], failures: SweepFailure[]): void;
}

/**
 * Runs every batch on the executor at once (the executor queues them) and hands each batch's
 * results to `onBatch`. A batch whose worker dies fails its rows, never the sweep. Returns the
 * summed in-worker run time.
 */
export async function runBatches(plan: SweepPlan, batches: readonly SweepRow[][], executor: Executor, hooks: BatchHooks): Promise<number> {
  const rowsByIndex = new Map(batches.flat().map((r) => [r.index, r]));
  let workMs = 0;
  await Promise.all(batches.map(async (batch) => {
    let outcomes: JobOutcome[];
    try {
      outcomes = await executor.run(batch.map((row) => toJob(row, plan)), hooks.stopped);
    } catch (err) {
      if (hooks.stopped()) return;
      outcomes = batch.map((row) => ({ row: row.index, error: `worker failed: ${(err as Error).message}`, ms: 0 }));
    }
    if (hooks.stopped()) return;
    const finished: SweepResult[] = [];
    const failures: SweepFailure[] = [];
    for (const o of outcomes) {
      const row = rowsByIndex.get(o.row)!;
      workMs += o.ms;
      if (o.metrics) finished.push(toResult(row, plan.profile, o.metrics));
      else failures.push({ row: row.index, key: row.key, error: o.error ?? "unknown error" });
    }
    hooks.onBatch(finished, failures);
  }));
  return workMs;
}
