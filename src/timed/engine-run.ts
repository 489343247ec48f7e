import { KvsimInputError } from "../errors.js";
import { TimedEngine, TimedIterationRow as I, TimedRequestRow as Q, TimedStop, type HostTierCounters, type TimedEngineConfig } from "../wasm/timed.js";
import { histogramDistribution } from "./gap-histogram.js";
import type { ServingRequest } from "./requests.js";
import { distribution, type Distribution, type IterationResult, type RequestResult } from "./results.js";

/** Where a run's rows go as the engine writes them: requests in completion order, iterations in order. */
/**
 * Where a run's rows go as the engine writes them: requests in completion order, iterations in
 * order. The engine run passes the same two objects again and again (a run of millions would
 * otherwise make millions of them for the collector): a sink that keeps a row copies it.
 */
export interface RunSink {
  request(r: RequestResult): void;
  iteration(i: IterationResult): void;
}

export interface EngineRunOptions {
  /** The engine's settings but `keepGaps`, which the run decides. */
  config: Omit<TimedEngineConfig, "keepGaps">;
  /** Token gaps kept exactly, at most; a run with more reads its ITL percentiles from the engine's histogram. */
  exactGaps?: number;
  /** Called every `progressEvery` iterations (default 20,000) with the requests completed and the simulated clock. */
  onProgress?: (completed: number, clock: number) => void;
  progressEvery?: number;
}

/** 2^23 gaps (64 MB) are kept exactly: the 2,000-request Splitwise run makes 530,000. */
export const EXACT_GAPS = 1 << 23;
/** Requests fed to the engine at a time. */
const FEED = 4096;
/**
 * An engine between runs, reused by the next (instantiating one costs more than a small run);
 * one that a large run grew past this many bytes is let go instead of holding its memory.
 */
let idle: TimedEngine | null = null;
const KEEP_BYTES = 64 << 20;

function joined(chunks: readonly Float64Array[], total: number): Float64Array {
  const all = new Float64Array(total);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return all;
}

/** Reads request row `o` into `r`; the engine computes TTFT, TPOT and E2E as the reference schedulers do. */
function readRequest(rows: Float64Array, o: number, r: RequestResult): RequestResult {
  r.requestId = rows[o + Q.id]!;
  r.arrival = rows[o + Q.arrival]!;
  r.promptTokens = rows[o + Q.prompt]!;
  r.outputTokens = rows[o + Q.output]!;
  r.firstScheduled = rows[o + Q.firstScheduled]!;
  r.firstToken = rows[o + Q.firstToken]!;
  r.completion = rows[o + Q.completion]!;
  r.ttft = rows[o + Q.ttft]!;
  r.tpot = rows[o + Q.tpot]!;
  r.e2e = rows[o + Q.e2e]!;
  r.preemptions = rows[o + Q.preemptions]!;
  r.prefixHitTokens = rows[o + Q.prefixHitTokens]!;
  r.hostHitTokens = rows[o + Q.hostHitTokens]!;
  return r;
}

function readIteration(rows: Float64Array, o: number, i: IterationResult): IterationResult {
  i.start = rows[o + I.start]!;
  i.duration = rows[o + I.duration]!;
  i.requests = rows[o + I.requests]!;
  i.prefillTokens = rows[o + I.prefillTokens]!;
  i.decodeTokens = rows[o + I.decodeTokens]!;
  i.kvBlocksUsed = rows[o + I.kvBlocksUsed]!;
  i.hostBlocksCached = rows[o + I.hostBlocksCached]!;
  i.bytesToHost = rows[o + I.bytesToHost]!;
  i.bytesFromHost = rows[o + I.bytesFromHost]!;
  return i;
}

/** What a run leaves besides its rows: the token gaps' distribution, computed on demand (outside the timed simulation). */
export interface EngineRunResult {
  itl(): Distribution;
  completed: number;
  /** The host tier's totals (zeros without one). */
  host: HostTierCounters;
}

/**
 * Runs requests through the WebAssembly engine: `source` gives them with their ids in arrival
 * order (checked), a chunk at a time as the engine asks; rows go to `sink` as they come. The token
 * gaps' distribution is exact up to `exactGaps` gaps, else read from the engine's histogram.
 */
export function runOnEngine(source: Iterator<[ServingRequest, number]>, options: EngineRunOptions, sink: RunSink): EngineRunResult {
  const exactCap = options.exactGaps ?? EXACT_GAPS;
  const engine = idle ?? new TimedEngine();
  idle = null;
  engine.start({ ...options.config, keepGaps: exactCap > 0 });
  // The exact gaps, as the chunks drained (joined once at the end); null once past the cap.
  let gaps: Float64Array[] | null = exactCap > 0 ? [] : null;
  let gapCount = 0;
  let completed = 0;
  let sinceProgress = 0;
  let lastArrival = -Infinity;
  let ended = false;
  const chunk: ServingRequest[] = [];
  const request = readRequest(new Float64Array(Q.COUNT), 0, {} as RequestResult);
  const iteration = readIteration(new Float64Array(I.COUNT), 0, {} as IterationResult);
  const ids: number[] = [];

  const drain = (): void => {
    const rows = engine.rows();
    for (let k = 0; k < rows.requestCount; k++) sink.request(readRequest(rows.requests, k * Q.COUNT, request));
    for (let k = 0; k < rows.iterationCount; k++) sink.iteration(readIteration(rows.iterations, k * I.COUNT, iteration));
    completed += rows.requestCount;
    sinceProgress += rows.iterationCount;
    if (gaps && rows.gaps.length > 0) {
      gaps.push(rows.gaps.slice());
      gapCount += rows.gaps.length;
      if (gapCount > exactCap) {
        engine.dropGaps(joined(gaps, gapCount));
        gaps = null;
      }
    }
    engine.drained();
  };
  const feed = (): void => {
    chunk.length = 0;
    ids.length = 0;
    while (chunk.length < FEED) {
      const next = source.next();
      if (next.done) {
        ended = true;
        break;
      }
      const [r, id] = next.value;
      if (r.arrival < lastArrival) throw new KvsimInputError(`request ${id} arrives at ${r.arrival} s, before the one fed before it (${lastArrival} s): requests must come in arrival order`);
      lastArrival = r.arrival;
      chunk.push(r);
      ids.push(id);
    }
    if (chunk.length > 0) engine.feed(chunk, ids);
    if (ended) engine.endInput();
  };

  const { onProgress } = options;
  const every = options.progressEvery ?? 20_000;
  for (;;) {
    // With progress, the run pauses when the iterations since the last report may reach `every`.
    const stop = engine.run(onProgress ? Math.max(1, every - sinceProgress) : 0);
    if (stop === TimedStop.done) break;
    if (stop === TimedStop.needInput) {
      if (ended) throw new Error("timed engine: asked for input after the input ended");
      feed();
    } else if (stop === TimedStop.outputFull || stop === TimedStop.paused) {
      drain();
      if (onProgress && sinceProgress >= every) {
        onProgress(completed, engine.state().clock);
        sinceProgress = 0;
      }
    } else {
      throw new KvsimInputError("the time model has no time for a batch the scheduler formed: Vidur's tables cover batches of at most 4,096 tokens and 128 decodes, with KV lengths up to 4,096 (lower --max-batched-tokens, --max-num-seqs or --chunk-size, or use the roofline model)");
    }
  }
  drain();
  const kept = gaps;
  const histogram = kept ? null : engine.gapHistogram();
  const host = engine.hostCounters();
  if (engine.memoryBytes <= KEEP_BYTES) idle = engine;
  return { itl: () => (kept ? distribution(joined(kept, gapCount)) : histogramDistribution(histogram!)), completed, host };
}
