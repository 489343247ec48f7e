import { KvsimInputError } from "../errors.js";
import type { GpuSpec } from "./gpus.js";
import type { ModelSpec } from "./models.js";
import { planMemory } from "./deployment.js";
import { profileConfigFor, profileTimeModel } from "./profile-model.js";
import type { ProfileTables } from "./profile-tables.js";
import type { ServingRequest } from "./requests.js";
import { summarize, type IterationResult, type RequestResult, type ServingSummary } from "./results.js";
import { rooflineTimeModel } from "./roofline.js";
import type { TimeModel } from "./time-model.js";
import { replayVidur, type VidurRun, type VidurScheduler } from "./vidur.js";
import { runVllm, type VllmConfig } from "./vllm.js";

export type { Distribution, IterationResult, RequestResult, ServingSummary } from "./results.js";

export type SchedulerName = "vllm" | VidurScheduler;
/** The schedulers a timed simulation can run; `vllm` is the default. */
export const SCHEDULERS: readonly SchedulerName[] = ["vllm", "vidur-vllm", "sarathi"];

export interface SimulateServingOptions {
  requests: readonly ServingRequest[];
  model: ModelSpec;
  gpu: GpuSpec;
  /** GPUs the model is split over (tensor parallelism). Default 1. */
  tensorParallel?: number;
  /** Default `vllm`. */
  scheduler?: SchedulerName;
  /**
   * How long an iteration takes: a `TimeModel`, or per-operation tables (`readProfileTables`) for
   * the `profile` model. Default: `roofline` with `DEFAULT_ROOFLINE`.
   */
  timeModel?: TimeModel | ProfileTables;
  /**
   * KV blocks. Default: vllm sizes the cache as vLLM does (`planMemory` at `gpuMemoryUtilization`);
   * Vidur's schedulers use Vidur's planner (`vidurKvBlocks`).
   */
  kvBlocks?: number;
  /** vllm: share of GPU memory for weights, activations and KV (default 0.9). */
  gpuMemoryUtilization?: number;
  blockSize?: number;
  /** Requests in flight at most: vllm's `max_num_seqs` (default 256), Vidur's `batch_size_cap` (default 128). */
  maxNumSeqs?: number;
  /** vllm: tokens per iteration (default 8192); vidur-vllm: padded tokens per prefill batch (default 4096). */
  maxBatchedTokens?: number;
  /** sarathi: tokens per batch. Default 512. */
  chunkSize?: number;
  /** Vidur's schedulers: blocks kept free from new admissions, as a share of all. Default 0.01. */
  watermarkFraction?: number;
  /** vllm: reuse cached blocks across requests (vLLM's default, true). */
  prefixCaching?: boolean;
  /** vllm: the block pool's eviction policy for free cached blocks (default `lru`, vLLM's). */
  eviction?: string;
  /** SLOs for goodput: a request meets them when its TTFT and TPOT are within these (s). */
  slo?: { ttftS?: number; tpotS?: number };
  /** vllm: called after every iteration with the scheduler's state (the property tests' hook). */
  onIteration?: VllmConfig["onIteration"];
}

export interface ServingSimulation {
  requests: RequestResult[];
  iterations: IterationResult[];
  summary: ServingSummary;
}

/**
 * KV blocks as Vidur's memory planner sizes them when none are given (the contract's §2): the
 * memory less a margin and twice the layers' weights (fp16), in whole request slots of
 * `maxTokens` tokens. It counts a mixture of experts' every expert.
 */
export function vidurKvBlocks(model: ModelSpec, gpu: GpuSpec, blockSize = 16, maxTokens = 4096, margin = 0.1): number {
  const q = model.attentionHeads;
  const hd = model.headDim;
  const E = model.hiddenSize;
  const params = model.layers * (E * hd * (q + 2 * model.kvHeads) + E * hd * q + 3 * E * model.intermediateSize * model.experts);
  const available = gpu.memoryBytes * (1 - margin); // Vidur: total_memory_gb × 1024³ × (1 − margin)
  const perRequest = 2 * 2 * hd * model.kvHeads * maxTokens * model.layers;
  const slots = Math.floor((available - 2 * params) / perRequest);
  if (slots < 1) throw new KvsimInputError(`${model.name} leaves no ${maxTokens}-token request slot on a ${gpu.name} by Vidur's planner; give the KV blocks outright`);
  return Math.floor(maxTokens / blockSize) * slots;
}

function vidurResults(run: VidurRun): RequestResult[] {
  return run.requests.map((r) => {
    const ttft = r.prefillCompletedAt - r.arrivedAt;
    const e2e = r.completedAt - r.arrivedAt;
    return {
      requestId: r.id, arrival: r.arrivedAt, promptTokens: r.originalPrompt, outputTokens: r.originalOutput,
      firstScheduled: r.scheduledAt, firstToken: r.prefillCompletedAt, completion: r.completedAt, ttft,
      tpot: r.originalOutput > 1 ? (e2e - ttft) / (r.originalOutput - 1) : NaN, e2e, preemptions: r.restarts, prefixHitTokens: 0,
    };
  });
}

function timeModelOf(options: SimulateServingOptions, tp: number): TimeModel {
  const given = options.timeModel;
  if (!given) return rooflineTimeModel(options.model, options.gpu, tp);
  if ("iterationTime" in given) return given;
  if (tp !== 1) throw new KvsimInputError("profile tables time one GPU: tensor parallelism needs the roofline model");
  return profileTimeModel(given, profileConfigFor(options.model));
}

function kvBlocksOf(options: SimulateServingOptions, scheduler: SchedulerName, tp: number, blockSize: number, maxNumSeqs: number, maxBatchedTokens: number): number {
  if (options.kvBlocks !== undefined) return options.kvBlocks;
  if (scheduler !== "vllm") return vidurKvBlocks(options.model, options.gpu, blockSize);
  return planMemory({
    model: options.model, gpu: options.gpu, tensorParallel: tp, blockSize, maxBatchedTokens, maxSeqs: maxNumSeqs,
    gpuMemoryUtilization: options.gpuMemoryUtilization ?? 0.9,
  }).kvBlocks;
}

/** Simulates serving `options.requests` (docs/timed.md); every time in the result is simulated. */
export function simulateServing(options: SimulateServingOptions): ServingSimulation {
  const scheduler = options.scheduler ?? "vllm";
  const tp = options.tensorParallel ?? 1;
  const blockSize = options.blockSize ?? 16;
  const vllm = scheduler === "vllm";
  const maxNumSeqs = options.maxNumSeqs ?? (vllm ? 256 : 128);
  const maxBatchedTokens = options.maxBatchedTokens ?? (vllm ? 8192 : 4096);
  const kvBlocks = kvBlocksOf(options, scheduler, tp, blockSize, maxNumSeqs, maxBatchedTokens);
  const timeModel = timeModelOf(options, tp);
  const started = performance.now();
  let run: { requests: RequestResult[]; iterations: IterationResult[]; itl: Float64Array };
  if (vllm) {
    const out = runVllm(options.requests, {
      kvBlocks, blockSize, maxNumSeqs, maxBatchedTokens, prefixCaching: options.prefixCaching ?? true, eviction: options.eviction,
      onIteration: options.onIteration,
    }, timeModel);
    run = { requests: out.requests, iterations: out.iterations, itl: out.itlSamples };
  } else {
    const out = replayVidur(options.requests, {
      scheduler, numBlocks: kvBlocks, blockSize, watermarkBlocks: Math.floor((options.watermarkFraction ?? 0.01) * kvBlocks),
      batchSizeCap: maxNumSeqs, maxTokensInBatch: maxBatchedTokens, chunkSize: options.chunkSize ?? 512,
    }, timeModel);
    const iterations = out.batches.map((b): IterationResult => ({
      start: b.scheduledAt, duration: b.executionTime, requests: b.size, prefillTokens: b.prefillTokens, decodeTokens: b.decodeTokens,
      kvBlocksUsed: b.allocatedBlocks,
    }));
    run = { requests: vidurResults(out), iterations, itl: out.tbtSamples };
  }
  const simulationMs = performance.now() - started;
  return {
    requests: run.requests,
    iterations: run.iterations,
    summary: summarize(run.requests, run.iterations, run.itl, {
      scheduler, timeModel: timeModel.name, model: options.model.name, gpu: options.gpu.name, kvBlocks, simulationMs, slo: options.slo ?? {},
    }),
  };
}
