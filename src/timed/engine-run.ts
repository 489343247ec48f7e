import { KvsimInputError } from "../errors.js";
import { TimedEngine, TimedIterationRow as I, TimedRequestRow as Q, TimedStop, type HostTierCounters, type TimedEngineConfig } from "../wasm/timed.js";
import { histogramDistribution } from "./gap-histogram.js";
import type { ServingRequest } from "./requests.js";
import { distribution, type Distribution, type IterationResult, type RequestResult } from "./results.js";

/**
 * Where a run's rows go as the engine writes them: requests in completion order, iterations in
 * order. The engine run passes the same two objects again and again (a run of millions would
 * otherwise make millions of them for the collector): a sink that keeps a row copies it.
 */
export interface RunSink {
  request(r: RequestResult): void;
  iteration(i: IterationResult): void;
  /**
   * If present, takes the engine's iteration rows a drained block at a time instead of `iteration`
   * a row at a time: `count` rows of `ITERATION_ROW` numbers, laid out as `TimedIterationRow`
   * (IterationResult's fields in iteration-log.ts's order), a view valid during the call only.
   * Reading each row into an object cost Mooncake's host case 4-7 ms of its 45 (docs/performance.md).
   */
  iterationRows?(rows: Float64Array, count: number): void;
}

/** Numbers per iteration row that `RunSink.iterationRows` gives. */
export const ITERATION_ROW = I.COUNT;

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

/** The chunks' numbers in one array. */
export function joined(chunks: readonly Float64Array[]): Float64Array {
  const all = new Float64Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return all;
}

/**
 * Reads request row `o` into `r` (with a disk tier, its disk hits too); the engine computes TTFT,
 * TPOT and E2E as the reference schedulers do.
 */
function readRequest(rows: Float64Array, o: number, r: RequestResult, disk: boolean): RequestResult {
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
  r.matchedPrefixBlocks = rows[o + Q.matchedPrefixBlocks]!;
  if (disk) r.diskHitTokens = rows[o + Q.diskHitTokens]!;
  return r;
}

function readIteration(rows: Float64Array, o: number, i: IterationResult, disk: boolean): IterationResult {
  i.start = rows[o + I.start]!;
  i.duration = rows[o + I.duration]!;
  i.requests = rows[o + I.requests]!;
  i.prefillTokens = rows[o + I.prefillTokens]!;
  i.decodeTokens = rows[o + I.decodeTokens]!;
  i.kvBlocksUsed = rows[o + I.kvBlocksUsed]!;
  i.hostBlocksCached = rows[o + I.hostBlocksCached]!;
  i.bytesToHost = rows[o + I.bytesToHost]!;
  i.bytesFromHost = rows[o + I.bytesFromHost]!;
  if (disk) {
    i.diskBlocksCached = rows[o + I.diskBlocksCached]!;
    i.bytesToDisk = rows[o + I.bytesToDisk]!;
    i.bytesFromDisk = rows[o + I.bytesFromDisk]!;
  }
  return i;
}

/** What a run leaves besides its rows: the token gaps' distribution, computed on demand (outside the timed simulation). */
export interface EngineRunResult {
  itl(): Distribution;
  /**
   * Every token gap, while the run kept them exactly (else null: `itl` reads the histogram), in
   * the chunks drained: joined only when read, outside the timed run (on Mooncake's trace, 4.7 MB).
   */
  gaps: readonly Float64Array[] | null;
  completed: number;
  /** The host and disk tiers' totals (zeros without them). */
  host: HostTierCounters;
}

/**
 * One run on the WebAssembly engine, driven by the host: requests are fed as the host has them
 * (in arrival order, checked), the engine runs until it needs more, and rows go to `sink` as they
 * come. `runOnEngine` feeds a whole source; a router feeds each instance one request at a time
 * (`feedUntil` lets an instance run up to the next arrival). The token gaps' distribution is exact
 * up to `exactGaps` gaps, else read from the engine's histogram.
 */
export class EngineDriver {
  private readonly engine: TimedEngine;
  private readonly exactCap: number;
  // The exact gaps, as the chunks drained (joined once at the end); null once past the cap.
  private gaps: Float64Array[] | null;
  private gapCount = 0;
  private completed = 0;
  private fed = 0;
  private sinceProgress = 0;
  private lastArrival = -Infinity;
  /** Rows carry a disk tier's figures only in a run that has one, so that other runs' rows keep their fields. */
  private readonly disk: boolean;
  private readonly request: RequestResult;
  private readonly iteration: IterationResult;
  /** The host said no request follows. */
  ended = false;

  constructor(private readonly options: EngineRunOptions, private readonly sink: RunSink) {
    this.exactCap = options.exactGaps ?? EXACT_GAPS;
    this.disk = options.config.hostTier?.disk !== undefined;
    this.request = readRequest(new Float64Array(Q.COUNT), 0, {} as RequestResult, this.disk);
    this.iteration = readIteration(new Float64Array(I.COUNT), 0, {} as IterationResult, this.disk);
    this.engine = idle ?? new TimedEngine();
    idle = null;
    this.engine.start({ ...options.config, keepGaps: this.exactCap > 0 });
    this.gaps = this.exactCap > 0 ? [] : null;
  }

  /** Feeds requests with their ids, arriving no earlier than those fed before. */
  feed(requests: readonly ServingRequest[], ids: readonly number[]): void {
    for (let k = 0; k < requests.length; k++) {
      const r = requests[k]!;
      if (r.arrival < this.lastArrival) throw new KvsimInputError(`request ${ids[k]} arrives at ${r.arrival} s, before the one fed before it (${this.lastArrival} s): requests must come in arrival order`);
      this.lastArrival = r.arrival;
    }
    if (requests.length > 0) this.engine.feed(requests, ids);
    this.fed += requests.length;
  }

  /** Every request arriving before `time` has been fed. */
  feedUntil(time: number): void {
    this.engine.feedUntil(time);
  }

  endInput(): void {
    this.ended = true;
    this.engine.endInput();
  }

  /** How many of a request's block hashes lead a prefix cached on this engine's GPU, and continue it in its host tier. */
  cachedPrefix(hashes: Float64Array): { gpu: number; host: number } {
    return this.engine.cachedPrefix(hashes);
  }

  /** Requests completed so far and their prompt tokens, whether or not their rows were drained. */
  completedSoFar(): { requests: number; promptTokens: number } {
    return this.engine.completed();
  }

  usedBlocks(): number {
    return this.engine.usedBlocks();
  }

  /** Runs until the engine needs input (false) or every request has completed after the input ended (true). */
  run(): boolean {
    const { onProgress } = this.options;
    const every = this.options.progressEvery ?? 20_000;
    for (;;) {
      // With progress, the run pauses when the iterations since the last report may reach `every`.
      const stop = this.engine.run(onProgress ? Math.max(1, every - this.sinceProgress) : 0);
      if (stop === TimedStop.done) return true;
      if (stop === TimedStop.needInput) {
        if (this.ended) throw inputAfterEnd();
        return false;
      }
      if (stop === TimedStop.outputFull || stop === TimedStop.paused) {
        this.drain();
        if (onProgress && this.sinceProgress >= every) {
          onProgress(this.completed, this.engine.state().clock);
          this.sinceProgress = 0;
        }
      } else {
        throw noTime();
      }
    }
  }

  /**
   * Runs one iteration (`ran`), or says why it cannot: the engine needs input (`needInput`) or every
   * request has completed after the input ended (`done`). Fleets sharing a store step their
   * instances this way, earliest first (fleet-instances.ts).
   */
  step(): "ran" | "needInput" | "done" {
    for (;;) {
      const stop = this.engine.run(1);
      if (stop === TimedStop.paused) return "ran";
      if (stop === TimedStop.done) return "done";
      if (stop === TimedStop.needInput) {
        if (this.ended) throw inputAfterEnd();
        return "needInput";
      }
      if (stop !== TimedStop.outputFull) throw noTime();
      this.drain();
    }
  }

  /** The engine's clock: when its next iteration starts. */
  clock(): number {
    return this.engine.state().clock;
  }

  /** Gives the rows written so far to the sink now, rather than when the engine's output fills or the run ends. */
  flush(): void {
    this.drain();
  }

  /** Gives the rows written so far to the sink. */
  private drain(): void {
    const rows = this.engine.rows();
    for (let k = 0; k < rows.requestCount; k++) this.sink.request(readRequest(rows.requests, k * Q.COUNT, this.request, this.disk));
    if (this.sink.iterationRows) this.sink.iterationRows(rows.iterations, rows.iterationCount);
    else for (let k = 0; k < rows.iterationCount; k++) this.sink.iteration(readIteration(rows.iterations, k * I.COUNT, this.iteration, this.disk));
    this.completed += rows.requestCount;
    this.sinceProgress += rows.iterationCount;
    if (this.gaps && rows.gaps.length > 0) {
      this.gaps.push(rows.gaps.slice());
      this.gapCount += rows.gaps.length;
      if (this.gapCount > this.exactCap) {
        this.engine.dropGaps(joined(this.gaps));
        this.gaps = null;
      }
    }
    this.engine.drained();
  }

  /** After the last `run` returned true: the run's result; the engine goes back to be reused. */
  finish(): EngineRunResult {
    this.drain();
    // A scheduler that stops with requests still queued would otherwise drop them silently.
    if (this.completed !== this.fed) throw new Error(`timed engine: the run ended with ${this.fed - this.completed} of ${this.fed} requests never completed`);
    const gaps = this.gaps;
    const histogram = gaps ? null : this.engine.gapHistogram();
    const host = this.engine.hostCounters();
    // A parked engine must not keep a fleet's shared store (another instance's memory) alive.
    this.engine.releaseSharedTier();
    if (this.engine.memoryBytes <= KEEP_BYTES) idle = this.engine;
    return { itl: () => (gaps ? distribution(joined(gaps)) : histogramDistribution(histogram!)), gaps, completed: this.completed, host };
  }
}

const inputAfterEnd = () => new Error("timed engine: asked for input after the input ended");
const noTime = () => new KvsimInputError("the time model has no time for a batch the scheduler formed: Vidur's tables cover batches of at most 4,096 tokens and 128 decodes, with KV lengths up to 4,096 (lower --max-batched-tokens, --max-num-seqs or --chunk-size, or use the roofline model)");

/** Runs requests through the engine: `source` gives them with their ids in arrival order, a chunk at a time as the engine asks. */
export function runOnEngine(source: Iterator<[ServingRequest, number]>, options: EngineRunOptions, sink: RunSink): EngineRunResult {
  const driver = new EngineDriver(options, sink);
  const chunk: ServingRequest[] = [];
  const ids: number[] = [];
  while (!driver.run()) {
    chunk.length = 0;
    ids.length = 0;
    let ended = false;
    while (chunk.length < FEED) {
      const next = source.next();
      if (next.done) {
        ended = true;
        break;
      }
      chunk.push(next.value[0]);
      ids.push(next.value[1]);
    }
    driver.feed(chunk, ids);
    if (ended) driver.endInput();
  }
  return driver.finish();
}
