import { KvsimInputError } from "../errors.js";
import type { GpuSpec } from "./gpus.js";
import type { ModelSpec } from "./models.js";
import { MAX_KV_BLOCKS, planMemory } from "./deployment.js";
import { profileConfigFor, profileTimeModel } from "./profile-model.js";
import { MAX_DECODE_BATCH, MAX_TOKENS } from "./profile-tables.js";
import type { ProfileTables } from "./profile-tables.js";
import type { ServingRequest } from "./requests.js";
import { distribution, SummaryBuilder, type Distribution, type IterationResult, type RequestResult, type ServingSummary, type SummaryContext } from "./results.js";
import { rooflineTimeModel } from "./roofline.js";
import type { TimeModel } from "./time-model.js";
import { replayVidur, type VidurRun, type VidurScheduler } from "./vidur.js";
import { runVllm, type VllmConfig } from "./vllm.js";
import { runOnEngine, type EngineRunOptions, type EngineRunResult, type RunSink } from "./engine-run.js";
import { hostTierConfig, type HostTierOptions } from "./host-tier.js";
import { requestFuture, type RequestFuture } from "./future.js";
import { checkFleetFuture, futureField } from "./reads-future.js";
import { blockEviction } from "../wasm/block-eviction.js";
import { IterationLog, withIterations } from "./iteration-log.js";
import { RequestLog } from "./request-log.js";
import { lazily } from "../util/lazy-field.js";
import { TimedCacheModel, TimedIterationRow as I, TimedScheduler, type HostTierConfig } from "../wasm/timed.js";

export type { Distribution, IterationResult, RequestResult, ServingSummary } from "./results.js";

export type SchedulerName = "vllm" | VidurScheduler;
/** The schedulers a timed simulation can run; `vllm` is the default. */
export const SCHEDULERS: readonly SchedulerName[] = ["vllm", "vidur-vllm", "sarathi"];

/** What vllm's block pool caches and shares (`SimulateServingOptions.cacheModel`). */
export type CacheModel = "vllm" | "replay";
export const CACHE_MODELS: readonly CacheModel[] = ["vllm", "replay"];

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
  /**
   * vllm: the block pool's eviction policy for free cached blocks (default `lru`, vLLM's). `belady`
   * reads the trace's future (docs/model.md): the requests must be known up front (an array).
   */
  eviction?: string;
  /** SLOs for goodput: a request meets them when its TTFT and TPOT are within these (s). */
  slo?: { ttftS?: number; tpotS?: number };
  /** Seeds `random` eviction. Default 0. */
  seed?: number;
  /**
   * vllm: a host (CPU DRAM) tier below the GPU that offloaded prefix blocks are loaded from, and
   * optionally a disk tier below it (`hostTier.disk`; docs/model.md).
   */
  hostTier?: HostTierOptions;
  /**
   * vllm: what the block pool caches and shares. `vllm` (default): vLLM's rules. `replay`: a
   * block-level replay's (Mooncake's trace replay, `kvsim prefix-replay`): a prompt's partly
   * filled last block is cached, every block found is shared, blocks are freed first to last.
   * See docs/timed.md.
   */
  cacheModel?: CacheModel;
  /**
   * Run the TypeScript reference schedulers instead of the WebAssembly engine (same results,
   * ~50× slower; a time model without an engine twin always runs there).
   */
  reference?: boolean;
  /** vllm on the reference: called after every iteration with the scheduler's state (the property tests' hook). */
  onIteration?: VllmConfig["onIteration"];
}

/**
 * A streamed run's options: the requests come from an iterable in arrival order, rows go to a
 * sink. A policy reading the future (belady) needs them as an array: a stream's future is unknown.
 */
export interface StreamServingOptions extends Omit<SimulateServingOptions, "requests" | "reference" | "onIteration"> {
  requests: Iterable<ServingRequest>;
  /** Called every `progressEvery` iterations (default 20,000) with the requests completed and the simulated clock. */
  onProgress?: (completed: number, clock: number) => void;
  progressEvery?: number;
  /** Token gaps kept exactly, at most (default 2^23); beyond, ITL percentiles come from the engine's histogram. */
  exactGaps?: number;
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
      tpot: r.originalOutput > 1 ? (e2e - ttft) / (r.originalOutput - 1) : NaN, e2e, preemptions: r.restarts, prefixHitTokens: 0, hostHitTokens: 0, matchedPrefixBlocks: 0,
    };
  });
}

/** Everything a run is set up from, resolved from the options once. */
interface Plan {
  scheduler: SchedulerName;
  blockSize: number;
  maxNumSeqs: number;
  maxBatchedTokens: number;
  chunkSize: number;
  kvBlocks: number;
  watermarkBlocks: number;
  prefixCaching: boolean;
  eviction: string;
  cacheModel: CacheModel;
  seed: number;
  timeModel: TimeModel;
  context: SummaryContext;
  hostTier?: HostTierConfig;
  /** The option of the tier whose policy reads the future (`futureField`), if any. */
  futureField?: string;
}

/** What a run is planned from: its options but the requests. */
export type PlanOptions = Omit<SimulateServingOptions, "requests" | "reference" | "onIteration">;

function timeModelOf(options: PlanOptions, tp: number): TimeModel {
  const given = options.timeModel;
  if (!given) return rooflineTimeModel(options.model, options.gpu, tp);
  if ("iterationTime" in given) return given;
  if (tp !== 1) throw new KvsimInputError("profile tables time one GPU: tensor parallelism needs the roofline model");
  return profileTimeModel(given, profileConfigFor(options.model));
}

/** `fleet`: the plan is for a fleet's instances, which may share a disk tier. */
function planOf(options: PlanOptions, fleet = false): Plan {
  const scheduler = options.scheduler ?? "vllm";
  const tp = options.tensorParallel ?? 1;
  const blockSize = options.blockSize ?? 16;
  const vllm = scheduler === "vllm";
  const maxNumSeqs = options.maxNumSeqs ?? (vllm ? 256 : 128);
  const maxBatchedTokens = options.maxBatchedTokens ?? (vllm ? 8192 : 4096);
  const chunkSize = options.chunkSize ?? 512;
  // The memory plan checks that the model fits the GPU, also when the blocks are given.
  const memory = planMemory({
    model: options.model, gpu: options.gpu, tensorParallel: tp, blockSize, maxBatchedTokens, maxSeqs: maxNumSeqs,
    gpuMemoryUtilization: options.gpuMemoryUtilization ?? 0.9, kvBlocks: options.kvBlocks,
  });
  const planned = memory.kvBlocks;
  const kvBlocks = options.kvBlocks ?? (vllm ? planned : vidurKvBlocks(options.model, options.gpu, blockSize));
  if (kvBlocks > MAX_KV_BLOCKS) {
    throw new KvsimInputError(`${kvBlocks.toLocaleString("en-US")} KV blocks of ${blockSize} tokens is more than the simulator holds (${MAX_KV_BLOCKS.toLocaleString("en-US")}): give a larger --block-size or fewer --kv-blocks`);
  }
  const timeModel = timeModelOf(options, tp);
  if (timeModel.name === "profile") {
    // Vidur's tables end at 4,096 tokens and 128 decodes: a batch past them has no time.
    const widest = scheduler === "sarathi" ? chunkSize : maxBatchedTokens;
    if (widest > MAX_TOKENS) throw new KvsimInputError(`the profile tables time batches of at most ${MAX_TOKENS} tokens: ${scheduler === "sarathi" ? "chunk size" : "max batched tokens"} ${widest} is more (lower it, or use the roofline model)`);
    if (maxNumSeqs > MAX_DECODE_BATCH) throw new KvsimInputError(`the profile tables time at most ${MAX_DECODE_BATCH} decodes a batch: max num seqs ${maxNumSeqs} is more (lower it, or use the roofline model)`);
  }
  if (options.hostTier && (!vllm || options.prefixCaching === false)) throw new KvsimInputError("a host tier needs the vllm scheduler with prefix caching");
  if (options.cacheModel === "replay" && (!vllm || options.prefixCaching === false)) throw new KvsimInputError("the replay cache model needs the vllm scheduler with prefix caching");
  if (options.hostTier && options.hostTier.blocks > MAX_KV_BLOCKS) throw new KvsimInputError(`host tier: at most ${MAX_KV_BLOCKS.toLocaleString("en-US")} blocks`);
  if (options.hostTier?.disk && options.hostTier.disk.blocks > MAX_KV_BLOCKS) throw new KvsimInputError(`disk tier: at most ${MAX_KV_BLOCKS.toLocaleString("en-US")} blocks`);
  if (options.hostTier?.disk?.shared && !fleet) throw new KvsimInputError("disk tier: shared is one store for a fleet's instances: give instances (--instances)");
  return {
    scheduler, blockSize, maxNumSeqs, maxBatchedTokens, chunkSize, kvBlocks,
    // Each GPU holds its share of a block and copies it over its own link, in parallel with the others.
    ...(options.hostTier ? { hostTier: hostTierConfig(options.hostTier, memory.kvBytesPerToken * blockSize, options.model.layers, options.eviction ?? "lru") } : {}),
    watermarkBlocks: Math.floor((options.watermarkFraction ?? 0.01) * kvBlocks),
    prefixCaching: options.prefixCaching ?? true, eviction: options.eviction ?? "lru", cacheModel: options.cacheModel ?? "vllm", seed: options.seed ?? 0, timeModel,
    futureField: futureField(options),
    context: { scheduler, timeModel: timeModel.name, model: options.model.name, gpu: options.gpu.name, kvBlocks, blockSize, slo: options.slo ?? {} },
  };
}

/** The KV blocks a run with these options has (given, or planned as `kvBlocks` says). */
export function servingKvBlocks(options: PlanOptions): number {
  return planOf(options, true).kvBlocks;
}

/** Throws unless request i can ever run under the plan; returns its blocks. */
function checkRequest(plan: Plan, r: ServingRequest, i: number): number {
  const B = plan.blockSize;
  const blocks = Math.ceil((r.prompt + r.output) / B);
  const room = plan.scheduler === "vllm" ? plan.kvBlocks : plan.kvBlocks - plan.watermarkBlocks;
  if (blocks > room) {
    throw new KvsimInputError(`request ${i} needs ${blocks} KV blocks of ${B} tokens (${r.prompt} + ${r.output} tokens), more than the cache's ${room}${plan.scheduler === "vllm" ? "" : " above the watermark"}`);
  }
  // Vidur's vLLM scheduler admits a prompt in one padded batch: a longer one would wait forever (the contract's §12).
  if (plan.scheduler === "vidur-vllm" && r.prompt > plan.maxBatchedTokens) {
    throw new KvsimInputError(`request ${i}'s prompt of ${r.prompt} tokens exceeds vidur-vllm's max batched tokens ${plan.maxBatchedTokens}: it could never be admitted`);
  }
  if (plan.timeModel.name === "profile" && r.prompt + r.output > MAX_TOKENS) {
    throw new KvsimInputError(`request ${i} has ${r.prompt + r.output} tokens: the profile tables time contexts up to ${MAX_TOKENS} (use the roofline model)`);
  }
  return blocks;
}

const SCHEDULER_IDS: Record<SchedulerName, TimedScheduler> = {
  vllm: TimedScheduler.vllm, "vidur-vllm": TimedScheduler.vidurVllm, sarathi: TimedScheduler.sarathi,
};

/** The engine's settings for the plan, its request table rows `maxBlocksPerRequest` long, with the trace's future when a policy reads it. */
function engineConfig(plan: Plan, maxBlocksPerRequest: number, future?: RequestFuture): EngineRunOptions["config"] {
  return {
    scheduler: SCHEDULER_IDS[plan.scheduler], kvBlocks: plan.kvBlocks, blockSize: plan.blockSize, maxNumSeqs: plan.maxNumSeqs,
    maxBatchedTokens: plan.maxBatchedTokens, chunkSize: plan.chunkSize, watermarkBlocks: plan.watermarkBlocks,
    prefixCaching: plan.prefixCaching, maxBlocksPerRequest, timeModel: plan.timeModel.engine!,
    eviction: blockEviction(plan.eviction, {}, "eviction"), seed: plan.seed, hostTier: plan.hostTier,
    cacheModel: plan.cacheModel === "replay" ? TimedCacheModel.replay : TimedCacheModel.vllm, future,
  };
}

/** The future of `requests` fed in `order` (default: as given), when a policy of the plan reads it. */
function futureOf(plan: Plan, requests: readonly ServingRequest[], order?: readonly number[]): RequestFuture | undefined {
  if (plan.futureField === undefined) return undefined;
  return requestFuture(requests, order ?? requests.map((_, i) => i), plan.blockSize, plan.cacheModel === "replay", plan.prefixCaching, plan.futureField);
}

/** Runs the plan on the engine: `source` in arrival order, rows to `sink`. */
function runEngine(
  plan: Plan, source: Iterator<[ServingRequest, number]>, maxBlocksPerRequest: number, sink: RunSink, future: RequestFuture | undefined, stream?: StreamServingOptions,
): EngineRunResult {
  return runOnEngine(source, {
    config: engineConfig(plan, maxBlocksPerRequest, future), exactGaps: stream?.exactGaps, onProgress: stream?.onProgress, progressEvery: stream?.progressEvery,
  }, sink);
}

/**
 * What a fleet of engine instances (fleet.ts) needs of a plan: each instance's engine settings,
 * the summary's context and host tier, and the block size its router hashes by. Every request is
 * checked against the plan first.
 */
export function planInstances(options: PlanOptions, requests: readonly ServingRequest[]) {
  const plan = planOf(options, true);
  if (!plan.timeModel.engine) throw new KvsimInputError(`time model ${plan.timeModel.name} has no WebAssembly twin: instances run on the engine`);
  checkFleetFuture(options);
  let longest = 1;
  requests.forEach((r, i) => {
    longest = Math.max(longest, checkRequest(plan, r, i));
  });
  return { config: engineConfig(plan, longest), context: plan.context, blockSize: plan.blockSize, hostTier: plan.hostTier };
}

/** The summary's host tier input, when the plan has one. */
const hostOf = (plan: Plan, run: EngineRunResult) => (plan.hostTier ? { config: plan.hostTier, counters: run.host } : undefined);

/** Runs the plan on the TypeScript reference schedulers, then gives their rows to `sink`. */
function runReference(plan: Plan, inputs: readonly ServingRequest[], sink: RunSink, onIteration: VllmConfig["onIteration"]): () => Distribution {
  let run: { requests: RequestResult[]; iterations: IterationResult[]; itl: Float64Array };
  if (plan.scheduler === "vllm") {
    const out = runVllm(inputs, {
      kvBlocks: plan.kvBlocks, blockSize: plan.blockSize, maxNumSeqs: plan.maxNumSeqs, maxBatchedTokens: plan.maxBatchedTokens,
      prefixCaching: plan.prefixCaching, eviction: plan.eviction, seed: plan.seed, onIteration,
    }, plan.timeModel);
    run = { requests: out.requests, iterations: out.iterations, itl: out.itlSamples };
  } else {
    const out = replayVidur(inputs, {
      scheduler: plan.scheduler, numBlocks: plan.kvBlocks, blockSize: plan.blockSize, watermarkBlocks: plan.watermarkBlocks,
      batchSizeCap: plan.maxNumSeqs, maxTokensInBatch: plan.maxBatchedTokens, chunkSize: plan.chunkSize,
    }, plan.timeModel);
    const iterations = out.batches.map((b): IterationResult => ({
      start: b.scheduledAt, duration: b.executionTime, requests: b.size, prefillTokens: b.prefillTokens, decodeTokens: b.decodeTokens,
      kvBlocksUsed: b.allocatedBlocks, hostBlocksCached: 0, bytesToHost: 0, bytesFromHost: 0,
    }));
    run = { requests: vidurResults(out), iterations, itl: out.tbtSamples };
  }
  for (const r of run.requests) sink.request(r);
  for (const i of run.iterations) sink.iteration(i);
  return () => distribution(run.itl);
}

/** Simulates serving `options.requests` (docs/timed.md); every time in the result is simulated. */
export function simulateServing(options: SimulateServingOptions): ServingSimulation {
  const plan = planOf(options);
  const inputs = options.requests;
  let longest = 1;
  inputs.forEach((r, i) => {
    longest = Math.max(longest, checkRequest(plan, r, i));
  });
  const disk = plan.hostTier?.disk !== undefined;
  const requests = new RequestLog(inputs.length, disk);
  const iterations = new IterationLog(disk);
  const builder = new SummaryBuilder(plan.context);
  const sink: RunSink = {
    request(r) {
      requests.add(r);
      builder.addRequest(r);
    },
    iteration(i) {
      iterations.add(i);
      builder.addIteration(i);
    },
    iterationRows(rows, count) {
      iterations.addRows(rows, count);
      for (let o = 0; o < count * I.COUNT; o += I.COUNT) {
        builder.countIteration(rows[o + I.requests]!, rows[o + I.prefillTokens]!, rows[o + I.decodeTokens]!, rows[o + I.kvBlocksUsed]!);
      }
    },
  };
  const started = performance.now();
  let itl: () => Distribution;
  let host: ReturnType<typeof hostOf>;
  if (options.reference || options.onIteration || !plan.timeModel.engine) {
    if (plan.hostTier) throw new KvsimInputError("the host tier runs on the WebAssembly engine only (not the reference schedulers, nor a time model without an engine twin)");
    if (plan.cacheModel !== "vllm") throw new KvsimInputError("the replay cache model runs on the WebAssembly engine only (not the reference schedulers, nor a time model without an engine twin)");
    if (plan.futureField) throw new KvsimInputError(`${plan.futureField}: the trace's future is given to the WebAssembly engine only (not the reference schedulers, nor a time model without an engine twin)`);
    itl = runReference(plan, inputs, sink, options.onIteration);
  } else {
    // Requests go in by arrival, ties in input order (a stable sort), as the reference admits them.
    const order = inputs.map((_, i) => i).sort((a, b) => inputs[a]!.arrival - inputs[b]!.arrival || a - b);
    const run = runEngine(plan, order.map((i): [ServingRequest, number] => [inputs[i]!, i])[Symbol.iterator](), longest, sink, futureOf(plan, inputs, order));
    itl = run.itl;
    host = hostOf(plan, run);
  }
  const simulationMs = performance.now() - started;
  // `requests` keeps its place before the summary, as when it was an array made during the run.
  const fields = lazily({ requests: undefined as unknown, summary: builder.summary(itl(), simulationMs, host) }, "requests", () => requests.results());
  return withIterations(fields, iterations);
}

/**
 * Simulates serving a stream of requests in arrival order (a trace read lazily, or a synthetic
 * workload of millions), holding only the requests in flight: rows go to `sink` as requests
 * complete and iterations end. Returns the summary (its distributions hold three numbers per
 * request). Runs on the engine only, so the time model needs an engine twin.
 */
export function simulateServingStream(options: StreamServingOptions, sink: RunSink): ServingSummary {
  const plan = planOf(options);
  if (!plan.timeModel.engine) throw new KvsimInputError(`time model ${plan.timeModel.name} has no WebAssembly twin: give simulateServing the requests as an array`);
  const given = options.requests;
  if (plan.futureField !== undefined && !Array.isArray(given)) {
    throw new KvsimInputError(`${plan.futureField}: the trace's future is unknown in a stream of requests: give them as an array (kvsim's commands draw a workload whole for it)`);
  }
  const builder = new SummaryBuilder(plan.context);
  const source = options.requests[Symbol.iterator]();
  let id = 0;
  const checked: Iterator<[ServingRequest, number]> = {
    next() {
      const next = source.next();
      if (next.done) return { done: true, value: undefined };
      checkRequest(plan, next.value, id);
      return { done: false, value: [next.value, id++] };
    },
  };
  const started = performance.now();
  // The requests come in arrival order (the engine refuses any other): an array's order is the order fed.
  const future = Array.isArray(given) ? futureOf(plan, given) : undefined;
  const run = runEngine(plan, checked, plan.kvBlocks, {
    request(r) {
      builder.addRequest(r);
      sink.request(r);
    },
    iteration(i) {
      builder.addIteration(i);
      sink.iteration(i);
    },
  }, future, options);
  const simulationMs = performance.now() - started;
  return builder.summary(run.itl(), simulationMs, hostOf(plan, run));
}
