/**
 * Piscina worker of `kvsim worker`: one WASM engine per thread; each task brings its traces
 * (SharedArrayBuffer-backed, so nothing is copied) and the batch to run.
 */
import { workerData } from "node:worker_threads";
import { instantiateEngine } from "../../wasm/engine-module.js";
import { runJobs, type JobOutcome, type SweepJob } from "../job.js";
import type { SharedTrace } from "../shared-trace.js";

export interface BatchTask {
  jobs: SweepJob[];
  /** Indexed by traceId; only the entries the jobs use are set. */
  traces: SharedTrace[];
}

const engine = instantiateEngine((workerData as { module: WebAssembly.Module }).module);

export default function runBatch(task: BatchTask): JobOutcome[] {
  return runJobs(task.jobs, task.traces, engine);
}
