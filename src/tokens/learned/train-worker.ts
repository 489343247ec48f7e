/** Piscina worker: trains one (layer, KV head) scorer from trace files it reads itself. */
import { readTokenTrace } from "../format.js";
import { trainHeadBy } from "./train-head.js";
import type { HeadJob, HeadJobResult } from "./train-all.js";

const cache = new Map<string, ReturnType<typeof readTokenTrace>>();

export default function trainHeadJob(job: HeadJob): HeadJobResult {
  const traces = job.traceFiles.map((f) => cache.get(f) ?? cache.set(f, readTokenTrace(f)).get(f)!);
  const t0 = performance.now();
  return { layer: job.layer, head: job.head, ...trainHeadBy(job.options, traces, job.layer, job.head), ms: performance.now() - t0 };
}
