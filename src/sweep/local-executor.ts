import { availableParallelism } from "node:os";
import { Piscina } from "piscina";
import { compiledUrl } from "../util/load-compiled.js";
import { engineModule } from "../wasm/instance.js";
import { inlineExecutor, type Executor } from "./execute.js";
import type { SweepPlan, SweepRow } from "./plan.js";
import { shareTrace } from "./shared-trace.js";
import type { SweepWorkerData } from "./worker.js";

/** Below this many accesses in all, a sweep without --threads runs on the main thread. */
const INLINE_ACCESSES = 2_000_000;

/** A Piscina pool: one WASM instance per worker; the traces are shared once with every worker. */
function poolExecutor(plan: SweepPlan, pending: readonly SweepRow[], threads: number): Executor {
  const needed = new Set(pending.map((r) => r.traceId));
  const workerData: SweepWorkerData = {
    module: engineModule(),
    traces: plan.traces.map((t, i) => (needed.has(i) ? shareTrace(t) : { name: t.name, numPages: 0, accesses: new Int32Array(0) })),
  };
  const pool = new Piscina({ filename: compiledUrl("sweep/worker.js"), workerData, minThreads: threads, maxThreads: threads, idleTimeout: 1000 });
  return { run: (jobs) => pool.run({ jobs }), destroy: () => pool.destroy() };
}

/** Where the pending rows of a plan run on this machine: on how many threads, and whether on the calling one. */
export interface LocalExecution {
  inline: boolean;
  threads: number;
}

/**
 * Starting workers costs more than a small sweep's whole work: without `threads`, one of fewer than
 * 2M accesses in all runs on the calling thread. More threads than rows or cores only cost their
 * start-up and memory.
 */
export function localExecution(plan: SweepPlan, pending: readonly SweepRow[], threads: number | undefined): LocalExecution {
  const accesses = pending.reduce((a, r) => a + plan.traces[r.traceId]!.accesses.length, 0);
  const inline = threads === undefined && accesses < INLINE_ACCESSES;
  return { inline, threads: inline ? 1 : Math.max(1, Math.min(threads ?? availableParallelism(), pending.length, availableParallelism())) };
}

/** The executor of a local execution: the calling thread (yielding between batches) or a pool. */
export function localExecutor(plan: SweepPlan, pending: readonly SweepRow[], { inline, threads }: LocalExecution): Executor {
  return inline ? inlineExecutor(plan.traces, setImmediate) : poolExecutor(plan, pending, threads);
}
