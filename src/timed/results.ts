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
  /** Prompt tokens served from the prefix cache (summed over admissions). */
  prefixHitTokens: number;
  iterations: number;
  meanBatchSize: number;
  meanTokensPerIteration: number;
  kvUtilization: { mean: number; peak: number };
  /** Wall time of the simulation alone, ms (not simulated: measured). */
  simulationMs: number;
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

export function distribution(values: ArrayLike<number>): Distribution {
  const sorted = Float64Array.from(values).filter((x) => !Number.isNaN(x)).sort();
  let sum = 0;
  for (const x of sorted) sum += x;
  return {
    p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99),
    mean: sorted.length ? sum / sorted.length : NaN, max: sorted.length ? sorted[sorted.length - 1]! : NaN,
  };
}


export interface SummaryContext {
  scheduler: SchedulerName;
  timeModel: string;
  model: string;
  gpu: string;
  kvBlocks: number;
  simulationMs: number;
  slo: { ttftS?: number; tpotS?: number };
}

/** The summary of a run from its per-request and per-iteration rows and its token gaps. */
export function summarize(requests: readonly RequestResult[], iterations: readonly IterationResult[], itl: ArrayLike<number>, context: SummaryContext): ServingSummary {
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
  const { ttftS, tpotS } = context.slo;
  const hasSlo = ttftS !== undefined || tpotS !== undefined;
  // A one-token output has no TPOT: it meets any TPOT SLO.
  const meets = (r: RequestResult): boolean => (ttftS === undefined || r.ttft <= ttftS) && (tpotS === undefined || Number.isNaN(r.tpot) || r.tpot <= tpotS);
  const good = hasSlo ? requests.filter(meets).length : 0;
  return {
    scheduler: context.scheduler, timeModel: context.timeModel, model: context.model, gpu: context.gpu, requests: requests.length, kvBlocks: context.kvBlocks,
    ttft: distribution(requests.map((r) => r.ttft)), tpot: distribution(requests.map((r) => r.tpot)), itl: distribution(itl),
    e2e: distribution(requests.map((r) => r.e2e)),
    throughput: { inputTokensPerS: sum((r) => r.promptTokens) / span, outputTokensPerS: sum((r) => r.outputTokens) / span, requestsPerS: requests.length / span },
    goodput: hasSlo ? { slo: context.slo, requestsPerS: good / span, attainment: good / requests.length } : null,
    preemptions: sum((r) => r.preemptions), prefixHitTokens: sum((r) => r.prefixHitTokens), iterations: iterations.length,
    meanBatchSize: iterationMean((i) => i.requests), meanTokensPerIteration: iterationMean((i) => i.prefillTokens + i.decodeTokens),
    kvUtilization: { mean: iterationMean((i) => i.kvBlocksUsed) / context.kvBlocks, peak: peakBlocks / context.kvBlocks },
    simulationMs: context.simulationMs,
  };
}
