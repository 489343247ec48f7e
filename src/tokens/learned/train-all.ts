import { Piscina } from "piscina";
import { KvsimInputError } from "../../errors.js";
import { readTokenTrace } from "../format.js";
import type { TokenTrace } from "../trace.js";
import type { TrainingCost } from "./head-data.js";
import type { MlpScorer } from "./mlp.js";
import type { HeadScorer } from "./scorer.js";
import { trainHeadBy, type TrainSettings } from "./train-head.js";
import type { LearnedWeights } from "./weights.js";
import { compiledUrl } from "../../util/load-compiled.js";

export interface HeadJob {
  traceFiles: string[];
  layer: number;
  head: number;
  options: TrainSettings;
}

export interface HeadJobResult {
  layer: number;
  head: number;
  scorer: HeadScorer | MlpScorer;
  curve: number[];
  cost: TrainingCost;
  ms: number;
}

/**
 * Trains every (layer, KV head) scorer on the given training traces: each head is one job, run on
 * `threads` Piscina workers (each reads the trace files once), or on this thread when threads is 1.
 * Each head's training is deterministic, so the weights do not depend on the thread count.
 */
export async function trainTokenScorers(traceFiles: string[], settings: TrainSettings, threads: number, onHead?: (r: HeadJobResult) => void): Promise<LearnedWeights> {
  if (traceFiles.length === 0) throw new KvsimInputError("training needs at least one trace");
  const t0 = performance.now();
  const traces: TokenTrace[] = traceFiles.map(readTokenTrace);
  const { layers, kvHeads, headDim } = traces[0]!.header.model;
  for (const [i, t] of traces.entries()) {
    const m = t.header.model;
    if (m.layers !== layers || m.kvHeads !== kvHeads || m.headDim !== headDim) {
      throw new KvsimInputError(`${traceFiles[i]}: training traces must share layers, KV heads and head dim with ${traceFiles[0]}`);
    }
  }
  const jobs: HeadJob[] = [];
  for (let layer = 0; layer < layers; layer++) for (let head = 0; head < kvHeads; head++) jobs.push({ traceFiles, layer, head, options: settings });
  let results: HeadJobResult[];
  if (threads <= 1) {
    results = jobs.map((job) => {
      const t0 = performance.now();
      const r = { layer: job.layer, head: job.head, ...trainHeadBy(job.options, traces, job.layer, job.head), ms: performance.now() - t0 };
      onHead?.(r);
      return r;
    });
  } else {
    const pool = new Piscina({ filename: compiledUrl("tokens/learned/train-worker.js"), minThreads: threads, maxThreads: threads });
    try {
      results = await Promise.all(jobs.map(async (job) => {
        const r = (await pool.run(job)) as HeadJobResult;
        onHead?.(r);
        return r;
      }));
    } finally {
      await pool.destroy();
    }
  }
  return {
    format: "kvsim-token-scorer", version: 1, headDim,
    heads: results.map((r) => ({ layer: r.layer, head: r.head, scorer: r.scorer })),
    training: {
      method: settings.method ?? "es", traces: traceFiles.length, settings, threads,
      // Summed over heads: `seconds` is the heads' own training time, `wallSeconds` the whole call's.
      seconds: results.reduce((s, r) => s + r.ms, 0) / 1000, wallSeconds: (performance.now() - t0) / 1000,
      rankings: results.reduce((s, r) => s + r.cost.rankings, 0), tokenForwards: results.reduce((s, r) => s + r.cost.tokenForwards, 0),
      finalFitness: Object.fromEntries(results.map((r) => [`${r.layer}.${r.head}`, r.curve.at(-1)])),
      curves: Object.fromEntries(results.map((r) => [`${r.layer}.${r.head}`, r.curve])),
    },
  };
}
