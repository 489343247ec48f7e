/**
 * Piscina worker of serving sweeps: the serving engine made from the module the main thread
 * compiled, one instance per thread (engine-run.ts keeps it between runs).
 */
import { workerData } from "node:worker_threads";
import { useEngineModule } from "../../wasm/instance.js";
import type { ProfileTables } from "../profile-tables.js";
import { runServingJobs, type ServingJob, type ServingJobOutcome } from "./job.js";

const data = workerData as { module: WebAssembly.Module; servingModule: WebAssembly.Module };
useEngineModule(data.module, data.servingModule);
const tables = new Map<string, ProfileTables>();

export default function runBatch(task: { jobs: ServingJob[] }): ServingJobOutcome[] {
  return runServingJobs(task.jobs, tables);
}
