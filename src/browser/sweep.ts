import { KvsimInputError } from "../errors.js";
import { sweepArtifacts } from "../sweep/artifacts.js";
import { simulate, type SimulateOptions, type SimulationResult } from "../simulate.js";
import { concludeSweep, inlineExecutor, makeBatches, runBatches, sweepJob, type SweepFailure, type SweepStatus } from "../sweep/execute.js";
import { jobSimulation } from "../sweep/job.js";
import { memorySources, type TraceFiles } from "../sweep/memory-sources.js";
import { planSweepWith, type SweepPlan } from "../sweep/plan.js";
import { resultsJsonl, type SweepResult } from "../sweep/result.js";
import { parseSweepSpec, type SweepSpecInput } from "../sweep/spec.js";
import type { SummaryRow } from "../sweep/summary.js";
import { init } from "./engine.js";
import { sweepWorker } from "./locations.js";
import { workerExecutor } from "./worker-executor.js";

export interface BrowserSweepOptions {
  /** Web Workers to run on (default: the machine's cores, at most 8); 0 runs on the calling thread. */
  workers?: number;
  /** The trace files the spec's `{ "trace": NAME }` workloads name, by NAME: raw bytes or parsed traces. */
  files?: TraceFiles;
  /** Render the SVG charts into `files` (default true). */
  charts?: boolean;
  onProgress?: (progress: { done: number; failed: number; total: number; elapsedMs: number }) => void;
  signal?: AbortSignal;
  /** Makes one sweep worker (default: the package's own `sweep-worker.js`). */
  spawnWorker?: () => Worker;
}

export interface BrowserSweepOutcome {
  status: SweepStatus;
  /** The planned sweep (name, spec hash, rows and their traces): any row can be replayed again (e.g. with events) from it. */
  plan: SweepPlan;
  /** In row order; line for line what `kvsim sweep` writes to results.jsonl. */
  results: SweepResult[];
  summary: SummaryRow[];
  failures: SweepFailure[];
  workers: number;
  wallMs: number;
  /** The artifacts `kvsim sweep` writes, by file name (results.jsonl, results.csv, summary.csv, *.svg). */
  files: Record<string, string>;
}

/** The worker count runSweep uses when none is given: the page's cores, at most 8. */
export const defaultWorkers = (): number => Math.min(8, Math.max(1, globalThis.navigator?.hardwareConcurrency ?? 1));

/**
 * Runs a sweep spec (the same JSON as `kvsim sweep SPEC`) in the page, on Web Workers, and returns
 * its results and artifacts in memory. The results are the ones Node produces for the same spec,
 * byte for byte: the same planner, engine and row order.
 */
export async function runSweep(spec: SweepSpecInput, options: BrowserSweepOptions = {}): Promise<BrowserSweepOutcome> {
  const requested = options.workers ?? defaultWorkers();
  if (!Number.isInteger(requested) || requested < 0) throw new KvsimInputError(`workers: expected a whole number ≥ 0, got ${requested}`);
  const module = await init();
  const plan = await planSweepWith(parseSweepSpec(spec, "spec"), { source: "spec", baseDir: "" }, memorySources(options.files));
  const workers = Math.min(requested, plan.rows.length);
  // Each worker gets its own copy of the traces (no shared memory without cross-origin isolation).
  const executor = workers > 0
    ? workerExecutor(module, plan.traces, workers, options.spawnWorker ?? sweepWorker)
    : inlineExecutor(plan.traces, (run) => setTimeout(run, 0));
  const results: SweepResult[] = [];
  const failures: SweepFailure[] = [];
  const t0 = performance.now();
  const { interrupted } = await runBatches(plan, makeBatches(plan.rows, plan, Math.max(1, workers)), executor, options.signal, (finished, failed) => {
    results.push(...finished);
    failures.push(...failed);
    options.onProgress?.({ done: results.length + failures.length, failed: failures.length, total: plan.rows.length, elapsedMs: performance.now() - t0 });
  });
  const wallMs = performance.now() - t0;
  const { status, summary } = concludeSweep(results, failures, interrupted);
  const files = interrupted ? {} : { "results.jsonl": resultsJsonl(results), ...(await sweepArtifacts(results, summary, options.charts !== false)) };
  return { status, plan, results, summary, failures, workers, wallMs, files };
}

/**
 * Runs row `row` of a planned sweep again on the calling thread, exactly as the sweep ran it, with
 * `extra` options on top (e.g. `eventCapacity` to keep its transfer events). Needs `init()` first.
 */
export function replaySweepRow(plan: SweepPlan, row: number, extra: Partial<SimulateOptions> = {}): SimulationResult {
  const r = plan.rows[row];
  if (!r) throw new KvsimInputError(`row ${row} is not part of the sweep (it has ${plan.rows.length})`);
  return simulate({ ...jobSimulation(sweepJob(r, plan), plan.traces[r.traceId]!), ...extra });
}
