import type { JobOutcome, SweepJob } from "../sweep/job.js";
import type { Trace } from "../traces/trace.js";

/** Page → sweep worker. */
export type WorkerRequest =
  | { type: "init"; module: WebAssembly.Module; traces: Trace[] }
  | { type: "run"; id: number; jobs: SweepJob[] };

/** Sweep worker → page: a batch's outcomes, or why the whole batch failed. */
export type WorkerReply = { id: number; outcomes: JobOutcome[] } | { id: number; error: string };
