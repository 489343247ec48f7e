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
 */
export function workerExecutor(module: WebAssembly.Module, traces: Trace[], count: number, spawn: () => Worker): Executor {
  const queue: Task[] = [];
  const busy = new Map<Worker, Task>();
  const idle: Worker[] = [];
  let nextId = 0;

  const dispatch = (): void => {
    while (idle.length && queue.length) {
      const worker = idle.pop()!;
      const task = queue.shift()!;
      busy.set(worker, task);
      worker.postMessage({ type: "run", id: task.id, jobs: task.jobs } satisfies WorkerRequest);
    }
  };
  const workers = Array.from({ length: count }, () => {
    const worker = spawn();
    worker.onmessage = ({ data }: MessageEvent<WorkerReply>) => {
      const task = busy.get(worker)!;
      busy.delete(worker);
      idle.push(worker);
      if ("error" in data) task.reject(new Error(data.error));
      else task.resolve(data.outcomes);
      dispatch();
    };
    worker.onerror = (event) => {
      event.preventDefault();
      const task = busy.get(worker);
      busy.delete(worker);
      idle.push(worker);
      task?.reject(new Error(event.message || "worker error"));
      dispatch();
    };
    worker.postMessage({ type: "init", module, traces } satisfies WorkerRequest);
    idle.push(worker);
    return worker;
  });

  return {
    run: (jobs) => new Promise((resolve, reject) => {
      queue.push({ id: nextId++, jobs, resolve, reject });
      dispatch();
    }),
    destroy: async () => {
      for (const w of workers) w.terminate();
      for (const task of [...queue, ...busy.values()]) task.reject(new Error("sweep stopped"));
      queue.length = 0;
      busy.clear();
    },
  };
}
