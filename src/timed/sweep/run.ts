import { availableParallelism } from "node:os";
import { Piscina } from "piscina";
import { gitCommit, packageVersion } from "../../package-info.js";
import { writeFileAtomic } from "../../report/write-atomic.js";
import { dispatchBatches, failedIfThrown, type BatchExecutor } from "../../sweep/dispatch.js";
import type { SweepFailure, SweepStatus } from "../../sweep/execute.js";
import { ResultAppender } from "../../sweep/results-file.js";
import { closeSweepDir, machine, openSweepDir, type Metadata } from "../../sweep/run-state.js";
import { REMOTE_BATCHING_THREADS, type SweepOptions } from "../../sweep/run-sweep.js";
import { compiledUrl, loadCompiled } from "../../util/load-compiled.js";
import { redactRedisUrl } from "../../sweep/remote/redis-url.js";
import { engineModule, servingModule } from "../../wasm/instance.js";
import { inlineServingExecutor, type ServingJob, type ServingJobOutcome } from "./job.js";
import type { ServingSweepPlan, ServingSweepRow } from "./plan.js";
import { servingSweepArtifacts, splitOutcomes, summarizeServing, type ServingSummaryRow, type ServingSweepResult } from "./report.js";

/** A page sweep's options; without `threads` or `backend`, a small sweep runs on this thread. */
export type ServingSweepOptions = SweepOptions;

export interface ServingSweepOutcome {
  status: SweepStatus;
  results: ServingSweepResult[];
  summary: ServingSummaryRow[];
  failures: SweepFailure[];
  resumed: number;
  threads: number;
  wallMs: number;
  files: string[];
}

type Executor = BatchExecutor<ServingJob, ServingJobOutcome>;

/** Below this many requests in all, a sweep without --threads runs on the main thread (workers cost more to start). */
const INLINE_REQUESTS = 50_000;
const BATCHES_PER_THREAD = 4;

const requestsOf = (job: ServingJob): number => ("requests" in job.workload ? job.workload.requests.length : Number(job.workload.spec.requests ?? 0));

function poolExecutor(threads: number): Executor {
  const pool = new Piscina({
    filename: compiledUrl("timed/sweep/worker.js"), workerData: { module: engineModule(), servingModule: servingModule() },
    minThreads: threads, maxThreads: threads, idleTimeout: 1000,
  });
  return { run: (jobs) => pool.run({ jobs }), destroy: () => pool.destroy() };
}

/**
 * Runs a planned serving sweep on worker threads (or this thread) and writes its artifacts into
 * `outDir`, as page-hierarchy sweeps do: results.jsonl as rows finish (rewritten in row order at
 * the end, the same bytes for any thread count), results.csv, summary.csv (mean, std and 95% CI
 * over seeds), latency-vs-qps.svg when the sweep has several rates, and run_metadata.json.
 */
export async function runServingSweep(plan: ServingSweepPlan, options: ServingSweepOptions): Promise<ServingSweepOutcome> {
  // Connect before touching the directory: an unusable Redis leaves nothing behind.
  const remote = options.backend ? await remoteExecutor(plan, options.backend, options.onNotice) : undefined;
  try {
    return await execute(plan, options, remote);
  } finally {
    await remote?.destroy();
  }
}

/** Loaded only for distributed sweeps: BullMQ and ioredis stay out of every other command's start-up. */
async function remoteExecutor(plan: ServingSweepPlan, url: string, onNotice?: (message: string) => void): Promise<Executor> {
  const { redisExecutor } = await loadCompiled<typeof import("../../sweep/remote/redis-executor.js")>("sweep/remote/redis-executor.js");
  return redisExecutor<ServingJob, ServingJobOutcome>({
    specHash: plan.specHash, kind: "serving", keyOf: (row) => plan.rows[row]!.key, traceIds: () => [], traceDigests: [], traces: [],
  }, url, { onNotice });
}

/** Cuts rows into batches of about `rows / (threads × BATCHES_PER_THREAD)`. */
function batchesOf(rows: readonly ServingSweepRow[], threads: number): ServingSweepRow[][] {
  const perBatch = Math.max(1, Math.ceil(rows.length / (threads * BATCHES_PER_THREAD)));
  const batches: ServingSweepRow[][] = [];
  for (let i = 0; i < rows.length; i += perBatch) batches.push(rows.slice(i, i + perBatch));
  return batches;
}

async function execute(plan: ServingSweepPlan, options: ServingSweepOptions, remoteRun: Executor | undefined): Promise<ServingSweepOutcome> {
  const outDir = options.outDir;
  const { resultsFile, metadataFile, previous, done } = openSweepDir<ServingSweepResult>(plan, outDir, options.resume);
  const pending = plan.rows.filter((r) => !done.has(r.key));
  const inline = !remoteRun && options.threads === undefined && pending.reduce((n, r) => n + requestsOf(r.job), 0) < INLINE_REQUESTS;
  // More threads than rows or cores only costs their start-up and memory.
  const threads = remoteRun ? 0 : inline ? 1 : Math.max(1, Math.min(options.threads ?? availableParallelism(), pending.length, availableParallelism()));
  const metadata: Metadata = {
    kvsimVersion: packageVersion(), gitCommit: gitCommit(), spec: plan.name, kind: "serving", specHash: plan.specHash, rows: plan.rows.length,
    node: process.version, threads, execution: options.backend ? `BullMQ on ${redactRedisUrl(options.backend)}` : inline ? "main thread" : "worker threads",
    machine: machine(), startedAt: new Date().toISOString(), status: "running",
  };
  writeFileAtomic(metadataFile, JSON.stringify(metadata, null, 2) + "\n");

  const results: ServingSweepResult[] = [...previous];
  const failures: SweepFailure[] = [];
  // A distributed sweep cuts all its rows the same way whatever is pending, so a rerun finds the same jobs.
  const batches = remoteRun
    ? batchesOf(plan.rows, REMOTE_BATCHING_THREADS).filter((batch) => batch.some((r) => !done.has(r.key)))
    : batchesOf(pending, threads);
  const t0 = performance.now();
  let interrupted = false;
  if (pending.length) {
    const appender = new ResultAppender(resultsFile);
    const executor = remoteRun ?? (inline ? inlineServingExecutor(plan.tables, setImmediate) : poolExecutor(threads));
    try {
      ({ interrupted } = await dispatchBatches(batches.map((b) => b.map((r) => r.job)), executor, options.signal, (jobs, outcomes) => {
        // A remote batch may hold rows an earlier run already wrote; keep each row once.
        const { finished, failed } = splitOutcomes(plan.rows, failedIfThrown(jobs, outcomes), done);
        failures.push(...failed);
        appender.append(finished);
        results.push(...finished);
        options.onProgress?.({ done: results.length - previous.length + failures.length, failed: failures.length, total: pending.length, elapsedMs: performance.now() - t0 });
      }));
    } finally {
      appender.close();
    }
  }
  const wallMs = performance.now() - t0;
  results.sort((a, b) => a.row - b.row);
  failures.sort((a, b) => a.row - b.row);
  const status: SweepStatus = interrupted ? "interrupted" : failures.length ? "failed" : "complete";
  const summary = summarizeServing(results);
  const artifacts = interrupted ? null : await servingSweepArtifacts(results, summary, options.charts !== false);
  Object.assign(metadata, { status, finishedAt: new Date().toISOString(), resumedRows: previous.length, wallMs, failures });
  const files = closeSweepDir({ resultsFile, metadataFile }, results, artifacts, metadata);
  return { status, results, summary, failures, resumed: previous.length, threads, wallMs, files };
}
