/**
 * Piscina worker of local sweeps and of `kvsim worker`: one WASM instance per thread, made from
 * the module the main thread compiled. A local pool shares all its traces once, with the
 * worker's data; a remote worker's tasks each bring the traces their jobs use. Both are
 * SharedArrayBuffer-backed, so nothing is copied.
 */
import { workerData } from "node:worker_threads";
import { HierarchyEngine } from "../wasm/hierarchy.js";
import { runJobs, type JobOutcome, type SweepJob } from "./job.js";
import type { SharedTrace } from "./shared-trace.js";

export interface SweepWorkerData {
  module: WebAssembly.Module;
  /** The local sweep's traces, indexed by traceId. */
  traces?: SharedTrace[];
}

export interface BatchTask {
  jobs: SweepJob[];
  /** This batch's traces, indexed by traceId (only the entries the jobs use are set); else the worker's. */
  traces?: SharedTrace[];
}

const data = workerData as SweepWorkerData;
const engine = new HierarchyEngine(data.module);

export default function runBatch(task: BatchTask): JobOutcome[] {
  return runJobs(task.jobs, task.traces ?? data.traces ?? [], engine);
}
