import type { Executor } from "../sweep/execute.js";
import type { JobOutcome, SweepJob } from "../sweep/job.js";
import type { Trace } from "../traces/trace.js";
import type { WorkerReply, WorkerRequest } from "./worker-protocol.js";

interface Task {
  id: number;
  jobs: SweepJob[];
  resolve(outcomes: JobOutcome[]): void;
  reject(err: Error): void;
}

/**
 * A fixed set of Web Workers fed from one queue: a worker takes the next batch as soon as it
 * returns one, so uneven batches balance themselves. Each worker gets the compiled module and the
 * traces once (structured clone: without cross-origin isolation a page cannot share memory).
 * A worker that errors (its script failed to load, it crashed) is terminated and its batch fails;
 * when none is left, every queued batch fails rather than waiting forever.
 */
export function workerExecutor(module: WebAssembly.Module, traces: Trace[], count: number, spawn: () => Worker): Executor {
  const queue: Task[] = [];
  const running = new Map<number, { task: Task; worker: Worker }>();
  const idle: Worker[] = [];
  const live = new Set<Worker>();
  let nextId = 0;

  const dispatch = (): void => {
    if (live.size === 0) {
      for (const task of queue.splice(0)) task.reject(new Error("no sweep worker is left (they failed to start or crashed)"));
      return;
    }
    while (idle.length && queue.length) {
      const worker = idle.pop()!;
      const task = queue.shift()!;
      running.set(task.id, { task, worker });
      worker.postMessage({ type: "run", id: task.id, jobs: task.jobs } satisfies WorkerRequest);
    }
  };
  const retire = (worker: Worker, reason: string): void => {
    worker.terminate();
    live.delete(worker);
    const at = idle.indexOf(worker);
    if (at >= 0) idle.splice(at, 1);
    for (const [id, entry] of running) {
      if (entry.worker !== worker) continue;
      running.delete(id);
      entry.task.reject(new Error(reason));
    }
    dispatch();
  };

  for (let i = 0; i < count; i++) {
    const worker = spawn();
    live.add(worker);
    worker.onmessage = ({ data }: MessageEvent<WorkerReply>) => {
      const entry = running.get(data.id);
      if (!entry) return;
      running.delete(data.id);
      idle.push(worker);
      if ("error" in data) entry.task.reject(new Error(data.error));
      else entry.task.resolve(data.outcomes);
      dispatch();
    };
    worker.onerror = (event) => {
      event.preventDefault();
      retire(worker, `sweep worker failed: ${event.message || "could not start (script not found?)"}`);
    };
    worker.onmessageerror = () => retire(worker, "sweep worker sent an unreadable message");
    worker.postMessage({ type: "init", module, traces } satisfies WorkerRequest);
    idle.push(worker);
  }

  return {
    run: (jobs) => new Promise((resolve, reject) => {
      queue.push({ id: nextId++, jobs, resolve, reject });
      dispatch();
    }),
    destroy: async () => {
      for (const w of live) w.terminate();
      live.clear();
      idle.length = 0;
      const pending = [...queue.splice(0), ...[...running.values()].map((e) => e.task)];
      running.clear();
      for (const task of pending) task.reject(new Error("sweep stopped"));
    },
  };
}
