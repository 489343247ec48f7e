import { closeSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { servingCharts, type TimelineSeries } from "./charts.js";
import type { RunSink } from "./engine-run.js";
import type { IterationResult, RequestResult, ServingSummary } from "./results.js";

/** A number as CSV text: shortest round-trip decimal, NaN as an empty cell. */
const cell = (x: number): string => (Number.isNaN(x) ? "" : String(x));

export const REQUESTS_HEADER = "request_id,arrival_s,prompt_tokens,output_tokens,first_scheduled_s,first_token_s,completion_s,ttft_s,tpot_s,e2e_s,preemptions,prefix_hit_tokens,host_hit_tokens,matched_prefix_blocks";
export const ITERATIONS_HEADER = "iteration,start_s,duration_s,requests,prefill_tokens,decode_tokens,kv_blocks_used,host_blocks_cached,bytes_to_host,bytes_from_host";

// Lines are template strings: a run of millions writes tens of millions of them, and building an
// array per line and joining it took most of the time of writing them. Only TPOT can be NaN.

/** One line of `requests.csv`: times in seconds from the simulation's zero. */
export const requestLine = (r: RequestResult): string =>
  `${r.requestId},${r.arrival},${r.promptTokens},${r.outputTokens},${r.firstScheduled},${r.firstToken},${r.completion},${r.ttft},${cell(r.tpot)},${r.e2e},${r.preemptions},${r.prefixHitTokens},${r.hostHitTokens},${r.matchedPrefixBlocks}`;

/** One line of `iterations.csv`. */
export const iterationLine = (i: IterationResult, k: number): string =>
  `${k},${i.start},${i.duration},${i.requests},${i.prefillTokens},${i.decodeTokens},${i.kvBlocksUsed},${i.hostBlocksCached},${i.bytesToHost},${i.bytesFromHost}`;

/** A text file written in pieces to a temporary sibling, renamed into place only when complete. */
class PendingFile {
  private readonly fd: number;
  private readonly tmp: string;
  private buffer: string[] = [];
  private size = 0;

  constructor(readonly path: string) {
    this.tmp = `${path}.${process.pid}.tmp`;
    this.fd = openSync(this.tmp, "w");
  }

  line(text: string): void {
    this.buffer.push(text);
    this.size += text.length;
    if (this.size > 1 << 16) this.flush();
  }

  private flush(): void {
    if (this.buffer.length === 0) return;
    writeSync(this.fd, `${this.buffer.join("\n")}\n`);
    this.buffer = [];
    this.size = 0;
  }

  commit(): void {
    this.flush();
    closeSync(this.fd);
    renameSync(this.tmp, this.path);
  }

  discard(): void {
    closeSync(this.fd);
    rmSync(this.tmp, { force: true });
  }
}

/**
 * KV use, batch size and tokens per iteration over simulated time, in at most 2 × BINS bins of
 * equal width: the width starts small and doubles (merging bins pairwise) whenever the run
 * outgrows it, so a run of any length charts in fixed memory.
 */
const BINS = 1000;
class Timeline {
  private width = 0.01;
  private readonly count = new Float64Array(2 * BINS);
  private readonly kv = new Float64Array(2 * BINS);
  private readonly kvPeak = new Float64Array(2 * BINS);
  private readonly batch = new Float64Array(2 * BINS);
  private readonly tokens = new Float64Array(2 * BINS);
  private readonly host = new Float64Array(2 * BINS);
  private readonly down = new Float64Array(2 * BINS);
  private readonly up = new Float64Array(2 * BINS);
  /** When the last iteration ended: a row's link bytes were carried since then. */
  private lastEnd = 0;

  add(i: IterationResult): void {
    const end = i.start + i.duration;
    while (Math.max(i.start, end) >= 2 * BINS * this.width) this.coarsen();
    const b = Math.floor(i.start / this.width);
    this.count[b]!++;
    this.kv[b]! += i.kvBlocksUsed;
    this.kvPeak[b] = Math.max(this.kvPeak[b]!, i.kvBlocksUsed);
    this.batch[b]! += i.requests;
    this.tokens[b]! += i.prefillTokens + i.decodeTokens;
    this.host[b]! += i.hostBlocksCached;
    this.spread(this.down, this.lastEnd, end, i.bytesToHost);
    this.spread(this.up, this.lastEnd, end, i.bytesFromHost);
    this.lastEnd = end;
  }

  /** Adds `amount` to the bins over [from, to) in proportion to their overlap (a flow at an even rate). */
  private spread(a: Float64Array, from: number, to: number, amount: number): void {
    if (amount === 0) return;
    if (!(to > from)) {
      a[Math.floor(to / this.width)]! += amount;
      return;
    }
    const rate = amount / (to - from);
    for (let b = Math.floor(from / this.width); b * this.width < to; b++) {
      const overlap = Math.min(to, (b + 1) * this.width) - Math.max(from, b * this.width);
      if (overlap > 0) a[b]! += rate * overlap;
    }
  }

  private coarsen(): void {
    for (const a of [this.count, this.kv, this.batch, this.tokens, this.host, this.down, this.up]) {
      for (let b = 0; b < BINS; b++) a[b] = a[2 * b]! + a[2 * b + 1]!;
      a.fill(0, BINS);
    }
    for (let b = 0; b < BINS; b++) this.kvPeak[b] = Math.max(this.kvPeak[2 * b]!, this.kvPeak[2 * b + 1]!);
    this.kvPeak.fill(0, BINS);
    this.width *= 2;
  }

  /**
   * The bins that saw an iteration: their start and their means (KV as a share of a cache of
   * `kvBlocks`). With a host tier of `hostBlocks`, its own series over the bins that saw an
   * iteration or traffic (a link is busiest while nothing else runs): the tier's mean occupancy
   * as a share of it (the last one known, in a bin without an iteration) and each direction's
   * bytes per second over the bin.
   */
  series(kvBlocks: number, hostBlocks?: number): TimelineSeries {
    const used = [...this.count.keys()].filter((b) => this.count[b]! > 0);
    const of = (bins: number[], f: (b: number) => number) => Float64Array.from(bins, f);
    const series: TimelineSeries = {
      time: of(used, (b) => b * this.width), kvMean: of(used, (b) => this.kv[b]! / this.count[b]! / kvBlocks), kvPeak: of(used, (b) => this.kvPeak[b]! / kvBlocks),
      batchMean: of(used, (b) => this.batch[b]! / this.count[b]!), tokensMean: of(used, (b) => this.tokens[b]! / this.count[b]!),
    };
    if (hostBlocks === undefined) return series;
    const bins = [...this.count.keys()].filter((b) => this.count[b]! > 0 || this.down[b]! > 0 || this.up[b]! > 0);
    let occupancy = 0;
    series.host = {
      time: of(bins, (b) => b * this.width),
      occupancy: of(bins, (b) => (occupancy = this.count[b]! > 0 ? this.host[b]! / this.count[b]! / hostBlocks : occupancy)),
      toHostBytesPerS: of(bins, (b) => this.down[b]! / this.width), fromHostBytesPerS: of(bins, (b) => this.up[b]! / this.width),
    };
    return series;
  }
}

/**
 * What `kvsim serving simulate --out DIR` writes, as the run goes: `requests.csv` (one row per
 * request in input order — rows that complete early wait for the requests before them),
 * `iterations.csv`, then `summary.json` and the charts. Nothing is renamed into place before the
 * run has ended well; `discard` removes what a failed run began.
 */
export class ArtifactWriter implements RunSink {
  private readonly requests: PendingFile;
  private readonly iterations: PendingFile;
  private readonly early = new Map<number, string>();
  private nextRequest = 0;
  private iterationCount = 0;
  private readonly latencies = { ttft: [] as number[], tpot: [] as number[], e2e: [] as number[] };
  private readonly timeline = new Timeline();

  constructor(private readonly dir: string) {
    this.requests = new PendingFile(join(dir, "requests.csv"));
    this.iterations = new PendingFile(join(dir, "iterations.csv"));
    this.requests.line(REQUESTS_HEADER);
    this.iterations.line(ITERATIONS_HEADER);
  }

  request(r: RequestResult): void {
    this.latencies.ttft.push(r.ttft);
    this.latencies.tpot.push(r.tpot);
    this.latencies.e2e.push(r.e2e);
    this.early.set(r.requestId, requestLine(r));
    for (let line = this.early.get(this.nextRequest); line !== undefined; line = this.early.get(this.nextRequest)) {
      this.requests.line(line);
      this.early.delete(this.nextRequest++);
    }
  }

  iteration(i: IterationResult): void {
    this.iterations.line(iterationLine(i, this.iterationCount++));
    this.timeline.add(i);
  }

  /** Writes the summary and the charts, then puts every file in place; returns the files' names. */
  async finish(summary: ServingSummary): Promise<string[]> {
    if (this.early.size > 0) throw new Error(`requests.csv: ${this.early.size} rows wait for a request that never completed (request ${this.nextRequest})`);
    const label = `${summary.scheduler} · ${summary.timeModel} · ${summary.model} on ${summary.gpu}`;
    const charts = await servingCharts({
      ttft: Float64Array.from(this.latencies.ttft), tpot: Float64Array.from(this.latencies.tpot), e2e: Float64Array.from(this.latencies.e2e),
      timeline: this.timeline.series(summary.kvBlocks, summary.hostTier?.blocks), label,
    });
    const files = { "summary.json": `${JSON.stringify(summary, null, 2)}\n`, ...charts };
    const pending = Object.entries(files).map(([name, text]) => {
      const file = new PendingFile(join(this.dir, name));
      file.line(text.endsWith("\n") ? text.slice(0, -1) : text);
      return file;
    });
    this.requests.commit();
    this.iterations.commit();
    for (const file of pending) file.commit();
    return ["requests.csv", "iterations.csv", ...Object.keys(files)];
  }

  discard(): void {
    this.requests.discard();
    this.iterations.discard();
  }
}
