/**
 * Piscina worker: one WASM instance per thread, made from the module the main thread compiled;
 * the traces arrive once, in shared memory, with the worker's data.
 */
import { workerData } from "node:worker_threads";
import { instantiateEngine } from "../wasm/engine-module.js";
import { runJobs, type JobOutcome, type SweepJob } from "./job.js";
import type { SharedTrace } from "./shared-trace.js";

export interface SweepWorkerData {
  module: WebAssembly.Module;
  traces: SharedTrace[];
}

const { module, traces } = workerData as SweepWorkerData;
const engine = instantiateEngine(module);

export default function runBatch(jobs: SweepJob[]): JobOutcome[] {
  return runJobs(jobs, traces, engine);
}
