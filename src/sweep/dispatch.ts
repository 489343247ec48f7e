/**
 * Batches of jobs on an executor, whatever the jobs run (page-hierarchy replays, timed serving
 * simulations): dispatch, abort, and a dead worker failing its batch's rows instead of the sweep.
 */

/** Runs batches of jobs: a Piscina pool in Node, Web Workers in the browser, one engine in-thread, or Redis. */
export interface BatchExecutor<J, O> {
  /** Runs a batch; `stopped` lets an in-thread executor skip work after an interrupt. */
  run(jobs: J[], stopped: () => boolean): Promise<O[]>;
  destroy(): Promise<void>;
}

export interface BatchRun {
  /** Summed in-worker run time of the finished rows. */
  workMs: number;
  /** The signal aborted (before or during the run): some batches were not run. */
  interrupted: boolean;
}

/** What a job's outcome carries at least: its row, its time, and an error when it failed. */
export interface RowOutcome {
  row: number;
  ms: number;
  error?: string;
}

/** A batch's outcomes, or, when its worker threw, one failure per job saying so (an outcome whose only field besides is the error). */
export function failedIfThrown<O extends RowOutcome>(jobs: readonly { row: number }[], outcomes: O[] | Error): O[] {
  return outcomes instanceof Error ? jobs.map((j) => ({ row: j.row, error: `worker failed: ${outcomes.message}`, ms: 0 }) as O) : outcomes;
}

/**
 * Runs every batch on the executor at once (the executor queues them) and hands each batch's
 * outcomes — or the error its worker died of — to `onBatch`, in completion order. Aborting
 * `signal`, also before the call, stops dispatching and drops what is still running; the executor
 * is destroyed in every case.
 */
export async function dispatchBatches<J, O>(batches: readonly J[][], executor: BatchExecutor<J, O>, signal: AbortSignal | undefined,
  onBatch: (jobs: J[], outcomes: O[] | Error) => void): Promise<{ interrupted: boolean }> {
  let interrupted = signal?.aborted ?? false;
  let destroyed: Promise<void> | undefined;
  const destroy = (): Promise<void> => (destroyed ??= executor.destroy());
  const onAbort = () => {
    interrupted = true;
    void destroy();
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  const stopped = () => interrupted;
  try {
    await Promise.all(batches.map(async (jobs) => {
      if (stopped()) return;
      let outcomes: O[] | Error;
      try {
        outcomes = await executor.run(jobs as J[], stopped);
      } catch (err) {
        outcomes = err instanceof Error ? err : new Error(String(err));
      }
      if (stopped()) return;
      onBatch(jobs as J[], outcomes);
    }));
  } finally {
    signal?.removeEventListener("abort", onAbort);
    await destroy();
  }
  return { interrupted };
}
