/** Piscina worker: trains one (layer, KV head) scorer from trace files it reads itself. */
import { readTokenTrace } from "../format.js";
import { trainHead } from "./train.js";
import type { HeadJob, HeadJobResult } from "./train-all.js";

const cache = new Map<string, ReturnType<typeof readTokenTrace>>();

export default function trainHeadJob(job: HeadJob): HeadJobResult {
  const traces = job.traceFiles.map((f) => cache.get(f) ?? cache.set(f, readTokenTrace(f)).get(f)!);
  const t0 = performance.now();
  const { scorer, curve } = trainHead({ ...job.options, traces, layer: job.layer, head: job.head });
  return { layer: job.layer, head: job.head, scorer, curve, ms: performance.now() - t0 };
}
