import { gitCommit, packageVersion } from "../package-info.js";
import { writeFileAtomic } from "../report/write-atomic.js";
import { sweepArtifacts } from "./artifacts.js";
import { loadCompiled } from "../util/load-compiled.js";
import { redactRedisUrl } from "./remote/redis-url.js";
import { concludeSweep, makeBatches, runBatches, type Executor, type SweepFailure, type SweepStatus } from "./execute.js";
import { localExecution, localExecutor } from "./local-executor.js";
import type { SweepPlan } from "./plan.js";
import type { SweepResult } from "./result.js";
import { ResultAppender } from "./results-file.js";
import { closeSweepDir, machine, openSweepDir, type Metadata } from "./run-state.js";
import type { SummaryRow } from "./summary.js";

export interface SweepOptions {
  outDir: string;
  /** Worker threads (default: the machine's available parallelism). */
  threads?: number;
  /** Keep the rows already in `outDir/results.jsonl` and run only the others. */
  resume?: boolean;
  /** Render the SVG charts (default true). */
  charts?: boolean;
  /** Called after each finished batch. */
  onProgress?: (progress: SweepProgress) => void;
  /** Aborting stops dispatching, ends the workers and returns with `status: "interrupted"`. */
  signal?: AbortSignal;
  /**
   * Run the batches as BullMQ jobs on this Redis (`redis://…` or `rediss://…`) for `kvsim worker`
   * processes anywhere to execute, instead of local threads (docs/sweeps.md).
   */
  backend?: string;
  /** Notices for the user that are not errors (e.g. no remote worker connected yet). */
  onNotice?: (message: string) => void;
}

export interface SweepProgress {
  done: number;
  failed: number;
  total: number;
  elapsedMs: number;
}

export interface SweepOutcome {
  status: SweepStatus;
  /** Every result in the output (resumed and new), in row order. */
  results: SweepResult[];
  summary: SummaryRow[];
  failures: SweepFailure[];
  /** Rows found in results.jsonl and skipped. */
  resumed: number;
  threads: number;
  timing: SweepTiming;
  files: string[];
}

/** Wall-clock figures of the execution phase (reported, never written into results). */
export interface SweepTiming {
  wallMs: number;
  jobs: number;
  batches: number;
  /** Sum of the runs' own times inside the workers. */
  workMs: number;
  /** (wall × threads − work) / jobs: scheduling, transfer and idle time per job (local runs only). */
  overheadMsPerJob?: number;
}

/**
 * A distributed sweep cuts all its rows into batches as if for this many threads, whatever
 * is pending: the same spec always gives the same batches, hence the same job ids on a rerun.
 */
export const REMOTE_BATCHING_THREADS = 8;

/** Loaded only for distributed sweeps: BullMQ and ioredis stay out of every other command's start-up. */
async function remoteExecutor(plan: SweepPlan, url: string, onNotice?: (message: string) => void): Promise<Executor> {
  const { redisExecutor, remotePageSweep } = await loadCompiled<typeof import("./remote/redis-executor.js")>("sweep/remote/redis-executor.js");
  return redisExecutor(remotePageSweep(plan), url, { onNotice });
}

/**
 * Runs a planned sweep on a Piscina pool (or, with `backend`, on remote workers through Redis)
 * and writes its artifacts into `outDir`: results stream
 * into results.jsonl as batches finish; at the end the file is rewritten in row order and
 * results.csv, summary.csv, the SVG charts and run_metadata.json are written next to it.
 */
export async function runSweep(plan: SweepPlan, options: SweepOptions): Promise<SweepOutcome> {
  // Connect before touching the directory: an unusable Redis leaves nothing behind.
  const remoteRun = options.backend ? await remoteExecutor(plan, options.backend, options.onNotice) : undefined;
  try {
    return await execute(plan, options, remoteRun);
  } finally {
    // Also when something fails before the batches start: open Redis connections keep the process alive.
    await remoteRun?.destroy();
  }
}

async function execute(plan: SweepPlan, options: SweepOptions, remoteRun: Executor | undefined): Promise<SweepOutcome> {
  const outDir = options.outDir;
  const remote = options.backend;
  const { resultsFile, metadataFile, previous, done } = openSweepDir<SweepResult>(plan, outDir, options.resume);
  const pending = plan.rows.filter((r) => !done.has(r.key));
  const local = remote ? undefined : localExecution(plan, pending, options.threads);
  const inline = local?.inline ?? false;
  const threads = local?.threads ?? 0;

  const metadata: Metadata = {
    kvsimVersion: packageVersion(), gitCommit: gitCommit(), spec: plan.name, specHash: plan.specHash, profile: plan.profile,
    rows: plan.rows.length, node: process.version, threads,
    execution: remote ? `BullMQ on ${redactRedisUrl(remote)}` : inline ? "main thread" : "worker threads",
    machine: machine(), startedAt: new Date().toISOString(), status: "running",
  };
  writeFileAtomic(metadataFile, JSON.stringify(metadata, null, 2) + "\n");

  const results: SweepResult[] = [...previous];
  const failures: SweepFailure[] = [];
  const batches = remote
    ? makeBatches(plan.rows, plan, REMOTE_BATCHING_THREADS).filter((batch) => batch.some((r) => !done.has(r.key)))
    : makeBatches(pending, plan, threads);
  const t0 = performance.now();
  let workMs = 0;
  let interrupted = false;

  if (pending.length) {
    // Node's setImmediate lets Ctrl-C be heard between main-thread batches.
    const executor = remoteRun ?? localExecutor(plan, pending, local!);
    const appender = new ResultAppender(resultsFile);
    try {
      ({ workMs, interrupted } = await runBatches(plan, batches, executor, options.signal, (batchResults, batchFailures) => {
        // A remote batch may hold rows an earlier run already wrote; keep each row once.
        const finished = batchResults.filter((r) => !done.has(r.key));
        const failed = batchFailures.filter((f) => !done.has(f.key));
        appender.append(finished);
        results.push(...finished);
        failures.push(...failed);
        options.onProgress?.({ done: results.length - previous.length + failures.length, failed: failures.length,
          total: pending.length, elapsedMs: performance.now() - t0 });
      }));
    } finally {
      appender.close();
    }
  }

  const wallMs = performance.now() - t0;
  const jobs = results.length - previous.length + failures.length;
  const timing: SweepTiming = { wallMs, jobs, batches: batches.length, workMs,
    ...(remote ? {} : { overheadMsPerJob: jobs ? Math.max(0, wallMs * threads - workMs) / jobs : 0 }) };
  const { status, summary } = concludeSweep(results, failures, interrupted);
  const artifacts = interrupted ? null : await sweepArtifacts(results, summary, options.charts !== false);
  Object.assign(metadata, { status, finishedAt: new Date().toISOString(), resumedRows: previous.length, timing, failures });
  const files = closeSweepDir({ resultsFile, metadataFile }, results, artifacts, metadata);
  return { status, results, summary, failures, resumed: previous.length, threads, timing, files };
}
