/**
 * Web Worker of the browser sweep: one engine instance per worker, made from the module the page
 * compiled; the traces arrive once with `init`, then batches of jobs.
 */
import { runJobs } from "../sweep/job.js";
import type { Trace } from "../traces/trace.js";
import { HierarchyEngine } from "../wasm/hierarchy.js";
import type { WorkerRequest, WorkerReply } from "./worker-protocol.js";

let engine: HierarchyEngine | undefined;
let initError: string | undefined;
let traces: Trace[] = [];

const scope = globalThis as unknown as { onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null; postMessage(m: WorkerReply): void };

scope.onmessage = ({ data }) => {
  if (data.type === "init") {
    try {
      engine = new HierarchyEngine(data.module);
      traces = data.traces;
    } catch (err) {
      initError = err instanceof Error ? err.message : String(err);
    }
    return;
  }
  try {
    if (!engine) throw new Error(`the sweep worker has no engine: ${initError ?? "it was never initialised"}`);
    scope.postMessage({ id: data.id, outcomes: runJobs(data.jobs, traces, engine) });
  } catch (err) {
    scope.postMessage({ id: data.id, error: err instanceof Error ? err.message : String(err) });
  }
};
