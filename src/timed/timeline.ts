import type { TimelineSeries } from "./charts.js";
import type { IterationResult } from "./results.js";

/** Bins a timeline keeps at its coarsest width; between coarsenings it holds up to twice as many. */
const BINS = 1000;

/**
 * KV use, batch size and tokens per iteration over simulated time, in at most 2 × BINS bins of
 * equal width: the width starts small and doubles (merging bins pairwise) whenever the run
 * outgrows it, so a run of any length charts in fixed memory.
 */
export class Timeline {
  private width = 0.01;
  private readonly count = new Float64Array(2 * BINS);
  private readonly kv = new Float64Array(2 * BINS);
  private readonly kvPeak = new Float64Array(2 * BINS);
  private readonly batch = new Float64Array(2 * BINS);
  private readonly tokens = new Float64Array(2 * BINS);
  private readonly host = new Float64Array(2 * BINS);
  private readonly down = new Float64Array(2 * BINS);
  private readonly up = new Float64Array(2 * BINS);
  private readonly disk = new Float64Array(2 * BINS);
  private readonly toDisk = new Float64Array(2 * BINS);
  private readonly fromDisk = new Float64Array(2 * BINS);
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
    if (i.diskBlocksCached !== undefined) {
      this.disk[b]! += i.diskBlocksCached;
      this.spread(this.toDisk, this.lastEnd, end, i.bytesToDisk!);
      this.spread(this.fromDisk, this.lastEnd, end, i.bytesFromDisk!);
    }
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
    for (const a of [this.count, this.kv, this.batch, this.tokens, this.host, this.down, this.up, this.disk, this.toDisk, this.fromDisk]) {
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
   * bytes per second over the bin; with a disk tier of `diskBlocks` too, the same for it and its link.
   */
  series(kvBlocks: number, hostBlocks?: number, diskBlocks?: number): TimelineSeries {
    const used = [...this.count.keys()].filter((b) => this.count[b]! > 0);
    const of = (bins: number[], f: (b: number) => number) => Float64Array.from(bins, f);
    const series: TimelineSeries = {
      time: of(used, (b) => b * this.width), kvMean: of(used, (b) => this.kv[b]! / this.count[b]! / kvBlocks), kvPeak: of(used, (b) => this.kvPeak[b]! / kvBlocks),
      batchMean: of(used, (b) => this.batch[b]! / this.count[b]!), tokensMean: of(used, (b) => this.tokens[b]! / this.count[b]!),
    };
    if (hostBlocks === undefined) return series;
    const bins = [...this.count.keys()].filter((b) => this.count[b]! > 0 || this.down[b]! > 0 || this.up[b]! > 0 || this.toDisk[b]! > 0 || this.fromDisk[b]! > 0);
    const occupancyOf = (cached: Float64Array, blocks: number) => {
      let last = 0;
      return of(bins, (b) => (last = this.count[b]! > 0 ? cached[b]! / this.count[b]! / blocks : last));
    };
    series.host = {
      time: of(bins, (b) => b * this.width), occupancy: occupancyOf(this.host, hostBlocks),
      toHostBytesPerS: of(bins, (b) => this.down[b]! / this.width), fromHostBytesPerS: of(bins, (b) => this.up[b]! / this.width),
      ...(diskBlocks === undefined ? {} : {
        disk: { occupancy: occupancyOf(this.disk, diskBlocks), toDiskBytesPerS: of(bins, (b) => this.toDisk[b]! / this.width), fromDiskBytesPerS: of(bins, (b) => this.fromDisk[b]! / this.width) },
      }),
    };
    return series;
  }
}
