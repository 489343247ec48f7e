import type { HostTierConfig, HostTierCounters } from "../wasm/timed.js";
import { diskTierSummary, type DiskTierSummary } from "./disk-tier.js";
import { hostTierSummary, type HostTierSummary } from "./host-tier.js";
import { select } from "./order-statistics.js";
import type { SchedulerName } from "./simulate.js";

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
  /** Prompt tokens found cached on the GPU, and loaded from the host tier (summed over admissions). */
  prefixHitTokens: number;
  hostHitTokens: number;
  /**
   * vllm: prefix blocks found at the request's first admission, on the GPU then in the host tier,
   * before the last-token cap (what a replay counts as hits; 0 for Vidur's schedulers).
   */
  matchedPrefixBlocks: number;
  /** With a disk tier only (absent otherwise): prompt tokens loaded from it, through the host (summed over admissions). */
  diskHitTokens?: number;
}

export interface IterationResult {
  start: number;
  duration: number;
  requests: number;
  prefillTokens: number;
  decodeTokens: number;
  kvBlocksUsed: number;
  /**
   * vllm's host tier (0 without one): blocks it caches after the iteration, and bytes its link
   * carried down and up from the end of the previous iteration to the end of this one.
   */
  hostBlocksCached: number;
  bytesToHost: number;
  bytesFromHost: number;
  /** With a disk tier only (absent otherwise): the same for the disk tier and its link to the host. */
  diskBlocksCached?: number;
  bytesToDisk?: number;
  bytesFromDisk?: number;
}

export interface Distribution {
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  max: number;
}

export interface ServingSummary {
  scheduler: SchedulerName;
  /** `roofline` or `profile`. */
  timeModel: string;
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
  /** Requests meeting every SLO given, per second over the same span, and their share; null without SLOs. */
  goodput: { slo: { ttftS?: number; tpotS?: number }; requestsPerS: number; attainment: number } | null;
  preemptions: number;
  /** Prompt tokens served from the GPU's prefix cache (summed over admissions). */
  prefixHitTokens: number;
  /**
   * Prefix blocks matched at first admission against the prompts' blocks (⌈prompt ÷ block size⌉
   * each): the hit rate a block-level replay such as `kvsim prefix-replay` reports.
   */
  prefixBlocks: { blocks: number; matchedBlocks: number; hitRate: number };
  /**
   * Where prompt tokens came from: the completed requests' prompt tokens; those found on the GPU
   * and those loaded from the host and the disk tiers (summed over admissions); and the tokens the
   * iterations prefilled (computed: misses everywhere, and what preemption by recompute made
   * compute again).
   */
  tokens: { prompt: number; gpuHit: number; hostHit: number; diskHit: number; prefilled: number };
  /** vllm's host tier, when the run has one. */
  hostTier: HostTierSummary | null;
  /** The disk tier below it, when the run has one. */
  diskTier: DiskTierSummary | null;
  iterations: number;
  meanBatchSize: number;
  meanTokensPerIteration: number;
  kvUtilization: { mean: number; peak: number };
  /** Wall time of the simulation alone, ms (not simulated: measured). */
  simulationMs: number;
}

/**
 * p50, p90, p99 (numpy's default percentile: linear interpolation between the closest ranks), the
 * mean (summed in the values' order) and the maximum of the values that are not NaN.
 */
export function distribution(values: ArrayLike<number>): Distribution {
  const a = new Float64Array(values.length);
  let n = 0;
  let max = -Infinity;
  for (let k = 0; k < values.length; k++) {
    const x = values[k]!;
    if (Number.isNaN(x)) continue;
    a[n++] = x;
    if (x > max) max = x;
  }
  if (n === 0) return { p50: NaN, p90: NaN, p99: NaN, mean: NaN, max: NaN };
  const kept = a.subarray(0, n);
  let sum = 0;
  for (let k = 0; k < n; k++) sum += kept[k]!;
  const mean = sum / n;
  // Ranks in increasing order, each selected in the part right of the one before.
  let from = 0;
  const percentile = (p: number): number => {
    const rank = (p / 100) * (n - 1);
    const lo = Math.floor(rank);
    select(kept, lo, from);
    from = lo;
    const low = kept[lo]!;
    if (lo === n - 1 || rank === lo) return low;
    // The next rank is the smallest value right of `lo`: one scan, where selecting it again cost a second partitioning.
    let high = kept[lo + 1]!;
    for (let k = lo + 2; k < n; k++) if (kept[k]! < high) high = kept[k]!;
    return low + (high - low) * (rank - lo);
  };
  return { p50: percentile(50), p90: percentile(90), p99: percentile(99), mean, max };
}

export interface SummaryContext {
  scheduler: SchedulerName;
  timeModel: string;
  model: string;
  gpu: string;
  kvBlocks: number;
  blockSize: number;
  slo: { ttftS?: number; tpotS?: number };
}

/** Float64 values by request id, in a buffer that doubles; ids never given stay NaN. */
class ById {
  private buffer = new Float64Array(1024).fill(NaN);
  length = 0;

  set(id: number, x: number): void {
    while (id >= this.buffer.length) {
      const grown = new Float64Array(this.buffer.length * 2).fill(NaN);
      grown.set(this.buffer);
      this.buffer = grown;
    }
    this.buffer[id] = x;
    this.length = Math.max(this.length, id + 1);
  }

  view(): Float64Array {
    return this.buffer.subarray(0, this.length);
  }
}

/** Whether a request's TTFT and TPOT are within the SLOs given (goodput counts it); a one-token output has no TPOT and meets any TPOT SLO. */
export function meetsSlo(r: Pick<RequestResult, "ttft" | "tpot">, slo: { ttftS?: number; tpotS?: number }): boolean {
  return (slo.ttftS === undefined || r.ttft <= slo.ttftS) && (slo.tpotS === undefined || Number.isNaN(r.tpot) || r.tpot <= slo.tpotS);
}

/**
 * A run's summary, built as its rows come (in any order: a streamed run writes requests as they
 * complete), so that a run of millions holds three numbers per request and none per iteration.
 * Latencies are kept by request id, so their sums run in input order whatever order they came in.
 */
export class SummaryBuilder {
  private readonly ttft = new ById();
  private readonly tpot = new ById();
  private readonly e2e = new ById();
  private requests = 0;
  private firstArrival = Infinity;
  private lastCompletion = -Infinity;
  private promptTokens = 0;
  private outputTokens = 0;
  private preemptions = 0;
  private prefixHitTokens = 0;
  private hostHitTokens = 0;
  private diskHitTokens = 0;
  private promptBlocks = 0;
  private matchedPrefixBlocks = 0;
  private prefilledTokens = 0;
  private good = 0;
  private iterations = 0;
  private batchSizes = 0;
  private tokens = 0;
  private blocks = 0;
  private peakBlocks = 0;

  constructor(private readonly context: SummaryContext) {}

  addRequest(r: RequestResult): void {
    this.firstArrival = Math.min(this.firstArrival, r.arrival);
    this.lastCompletion = Math.max(this.lastCompletion, r.completion);
    this.requests++;
    this.ttft.set(r.requestId, r.ttft);
    this.tpot.set(r.requestId, r.tpot);
    this.e2e.set(r.requestId, r.e2e);
    this.promptTokens += r.promptTokens;
    this.outputTokens += r.outputTokens;
    this.preemptions += r.preemptions;
    this.prefixHitTokens += r.prefixHitTokens;
    this.hostHitTokens += r.hostHitTokens;
    this.diskHitTokens += r.diskHitTokens ?? 0;
    this.promptBlocks += Math.ceil(r.promptTokens / this.context.blockSize);
    this.matchedPrefixBlocks += r.matchedPrefixBlocks;
    if (meetsSlo(r, this.context.slo)) this.good++;
  }

  addIteration(i: IterationResult): void {
    this.countIteration(i.requests, i.prefillTokens, i.decodeTokens, i.kvBlocksUsed);
  }

  /** An iteration by the numbers the summary reads (an engine's row, read without an object). */
  countIteration(requests: number, prefillTokens: number, decodeTokens: number, kvBlocksUsed: number): void {
    this.iterations++;
    this.batchSizes += requests;
    this.tokens += prefillTokens + decodeTokens;
    this.prefilledTokens += prefillTokens;
    this.blocks += kvBlocksUsed;
    this.peakBlocks = Math.max(this.peakBlocks, kvBlocksUsed);
  }

  /**
   * The summary, with the token gaps' distribution (exact, or from the engine's histogram), the
   * measured wall time, and the host (and disk) tier's totals when the run had one.
   */
  summary(itl: Distribution, simulationMs: number, host?: { config: HostTierConfig; counters: HostTierCounters }): ServingSummary {
    const c = this.context;
    const n = this.requests;
    const span = this.lastCompletion - this.firstArrival;
    const perIteration = (sum: number): number => (this.iterations ? sum / this.iterations : 0);
    const hasSlo = c.slo.ttftS !== undefined || c.slo.tpotS !== undefined;
    return {
      scheduler: c.scheduler, timeModel: c.timeModel, model: c.model, gpu: c.gpu, requests: n, kvBlocks: c.kvBlocks,
      ttft: distribution(this.ttft.view()), tpot: distribution(this.tpot.view()), itl, e2e: distribution(this.e2e.view()),
      throughput: { inputTokensPerS: this.promptTokens / span, outputTokensPerS: this.outputTokens / span, requestsPerS: n / span },
      goodput: hasSlo ? { slo: c.slo, requestsPerS: this.good / span, attainment: this.good / n } : null,
      preemptions: this.preemptions, prefixHitTokens: this.prefixHitTokens,
      prefixBlocks: { blocks: this.promptBlocks, matchedBlocks: this.matchedPrefixBlocks, hitRate: this.matchedPrefixBlocks / this.promptBlocks },
      tokens: { prompt: this.promptTokens, gpuHit: this.prefixHitTokens, hostHit: this.hostHitTokens, diskHit: this.diskHitTokens, prefilled: this.prefilledTokens },
      hostTier: host ? hostTierSummary(host.config, host.counters, this.hostHitTokens, span) : null,
      diskTier: host?.config.disk ? diskTierSummary(host.config.disk, host.counters, host.config.blockBytes, this.diskHitTokens, span) : null, iterations: this.iterations,
      meanBatchSize: perIteration(this.batchSizes), meanTokensPerIteration: perIteration(this.tokens),
      kvUtilization: { mean: perIteration(this.blocks) / c.kvBlocks, peak: this.peakBlocks / c.kvBlocks },
      simulationMs,
    };
  }
}
