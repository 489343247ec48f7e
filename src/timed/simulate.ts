import { KvsimInputError } from "../errors.js";
import type { GpuSpec } from "./gpus.js";
import type { ModelSpec } from "./models.js";
import type { ProfileTables } from "./profile-tables.js";
import type { ServingRequest } from "./requests.js";
import { replayVidur, type VidurRun, type VidurScheduler } from "./vidur.js";

/** The schedulers a timed simulation can run. */
export const SCHEDULERS: readonly VidurScheduler[] = ["vidur-vllm", "sarathi"];

export interface SimulateServingOptions {
  requests: readonly ServingRequest[];
  model: ModelSpec;
  gpu: GpuSpec;
  scheduler: VidurScheduler;
  /** Per-operation timing tables (`readProfileTables`): the `profile` time model. */
  timeModel: ProfileTables;
  /** KV blocks; default: Vidur's memory planner for the model and GPU (`vidurKvBlocks`). */
  kvBlocks?: number;
  blockSize?: number;
  /** Requests in flight at most (Vidur's `batch_size_cap`). Default 128. */
  maxNumSeqs?: number;
  /** vidur-vllm: padded tokens per prefill batch. Default 4096. */
  maxBatchedTokens?: number;
  /** sarathi: tokens per batch. Default 512. */
  chunkSize?: number;
  /** Blocks kept free from new admissions, as a share of all. Default 0.01. */
  watermarkFraction?: number;
}

/** One request's times, in seconds from the simulation's zero (simulated). */
export interface RequestResult {
  requestId: number;
  arrival: number;
  promptTokens: number;
  outputTokens: number;
  firstScheduled: number;
  firstToken: number;
  completion: number;
  ttft: number;
  /** Mean gap between output tokens; NaN for a one-token output. */
  tpot: number;
  e2e: number;
  preemptions: number;
  prefixHitTokens: number;
}

export interface IterationResult {
  start: number;
  duration: number;
  requests: number;
  prefillTokens: number;
  decodeTokens: number;
  kvBlocksUsed: number;
}

export interface Distribution {
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  max: number;
}

export interface ServingSummary {
  scheduler: VidurScheduler;
  model: string;
  gpu: string;
  requests: number;
  kvBlocks: number;
  ttft: Distribution;
  tpot: Distribution;
  /** Token-level gaps between a request's consecutive output tokens (its first token excluded). */
  itl: Distribution;
  e2e: Distribution;
  /** Tokens and requests per second over last completion − first arrival. */
  throughput: { inputTokensPerS: number; outputTokensPerS: number; requestsPerS: number };
  preemptions: number;
  iterations: number;
  meanBatchSize: number;
  meanTokensPerIteration: number;
  kvUtilization: { mean: number; peak: number };
  /** Wall time of the simulation alone, ms (not simulated: measured). */
  simulationMs: number;
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

/** numpy's default percentile (linear interpolation between closest ranks) of sorted values. */
function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const rank = (p / 100) * (n - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

function distribution(values: ArrayLike<number>): Distribution {
  const sorted = Float64Array.from(values).filter((x) => !Number.isNaN(x)).sort();
  let sum = 0;
  for (const x of sorted) sum += x;
  return {
    p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99),
    mean: sorted.length ? sum / sorted.length : NaN, max: sorted.length ? sorted[sorted.length - 1]! : NaN,
  };
}

function results(run: VidurRun): RequestResult[] {
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

/** Simulates serving `options.requests` (docs/timed.md); every time in the result is simulated. */
export function simulateServing(options: SimulateServingOptions): ServingSimulation {
  const blockSize = options.blockSize ?? 16;
  const kvBlocks = options.kvBlocks ?? vidurKvBlocks(options.model, options.gpu, blockSize);
  const started = performance.now();
  const run = replayVidur(options.requests, {
    scheduler: options.scheduler, numBlocks: kvBlocks, blockSize, watermarkBlocks: Math.floor((options.watermarkFraction ?? 0.01) * kvBlocks),
    batchSizeCap: options.maxNumSeqs ?? 128, maxTokensInBatch: options.maxBatchedTokens ?? 4096, chunkSize: options.chunkSize ?? 512,
    layers: options.model.layers,
    // Vidur's attention batching overhead applies to grouped-query models only.
    decodeOverhead: options.model.kvHeads < options.model.attentionHeads ? 0.1 : 0,
    prefillOverhead: options.model.kvHeads < options.model.attentionHeads ? 0.1 : 0,
  }, options.timeModel);
  const simulationMs = performance.now() - started;
  const requests = results(run);
  const iterations = run.batches.map((b): IterationResult => ({
    start: b.scheduledAt, duration: b.executionTime, requests: b.size, prefillTokens: b.prefillTokens, decodeTokens: b.decodeTokens,
    kvBlocksUsed: b.allocatedBlocks,
  }));
  let firstArrival = Infinity;
  let lastCompletion = -Infinity;
  for (const r of requests) {
    firstArrival = Math.min(firstArrival, r.arrival);
    lastCompletion = Math.max(lastCompletion, r.completion);
  }
  const span = lastCompletion - firstArrival;
  let peakBlocks = 0;
  for (const i of iterations) peakBlocks = Math.max(peakBlocks, i.kvBlocksUsed);
  const sum = (f: (r: RequestResult) => number): number => requests.reduce((s, r) => s + f(r), 0);
  const iterationMean = (f: (i: IterationResult) => number): number => (iterations.length ? iterations.reduce((s, i) => s + f(i), 0) / iterations.length : 0);
  return {
    requests,
    iterations,
    summary: {
      scheduler: options.scheduler, model: options.model.name, gpu: options.gpu.name, requests: requests.length, kvBlocks,
      ttft: distribution(requests.map((r) => r.ttft)), tpot: distribution(requests.map((r) => r.tpot)), itl: distribution(run.tbtSamples),
      e2e: distribution(requests.map((r) => r.e2e)),
      throughput: { inputTokensPerS: sum((r) => r.promptTokens) / span, outputTokensPerS: sum((r) => r.outputTokens) / span, requestsPerS: requests.length / span },
      preemptions: sum((r) => r.preemptions), iterations: iterations.length, meanBatchSize: iterationMean((i) => i.requests),
      meanTokensPerIteration: iterationMean((i) => i.prefillTokens + i.decodeTokens),
      kvUtilization: { mean: iterationMean((i) => i.kvBlocksUsed) / kvBlocks, peak: peakBlocks / kvBlocks },
      simulationMs,
    },
  };
}
