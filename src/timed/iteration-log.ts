import { TimedIterationRow } from "../wasm/timed.js";
import { lazily } from "../util/lazy-field.js";
import type { IterationResult } from "./results.js";

/** An iteration's fields, in the order a log row keeps them; a run with a disk tier keeps its three more. */
const FIELDS = [
  "start", "duration", "requests", "prefillTokens", "decodeTokens", "kvBlocksUsed", "hostBlocksCached", "bytesToHost", "bytesFromHost",
  "diskBlocksCached", "bytesToDisk", "bytesFromDisk",
] as const satisfies readonly (keyof IterationResult)[];
const DISK_FIELDS = 3;
// The engine's rows put the same fields in the same order, so `addRows` copies a row's first numbers.
if (FIELDS.some((f, k) => TimedIterationRow[f] !== k) || TimedIterationRow.COUNT !== FIELDS.length) throw new Error("iteration log: the engine's iteration row no longer matches the log's fields");

/** Rows a chunk of the log holds (a power of two, so a row's chunk is a shift). */
const CHUNK_BITS = 12;
const CHUNK_ROWS = 1 << CHUNK_BITS;

/**
 * A run's iterations as rows of numbers, made objects only when asked for: Mooncake's trace runs
 * 77K iterations, and keeping each as an object cost a third of the run (they outlive V8's young
 * generation, so every scavenge copies them). Rows go into chunks of fixed size: a single array
 * doubled as it filled cost that run 7-10 ms in allocating and copying (docs/performance.md).
 */
export class IterationLog {
  private readonly width: number;
  private readonly chunks: Float64Array[] = [];
  private rows = new Float64Array(0);
  /** Where the next row starts in `rows`. */
  private at = 0;
  private count = 0;

  constructor(disk = false) {
    this.width = FIELDS.length - (disk ? 0 : DISK_FIELDS);
  }

  /** Where the next row goes in `rows`, a new chunk begun when the last is full. */
  private next(): number {
    if (this.at === this.rows.length) {
      this.rows = new Float64Array(this.width * CHUNK_ROWS);
      this.chunks.push(this.rows);
      this.at = 0;
    }
    const o = this.at;
    this.at += this.width;
    this.count++;
    return o;
  }

  add(i: IterationResult): void {
    const width = this.width;
    const o = this.next();
    // Field by field, not by name in a loop: a keyed read of each field cost a quarter of the saving.
    const rows = this.rows;
    rows[o] = i.start;
    rows[o + 1] = i.duration;
    rows[o + 2] = i.requests;
    rows[o + 3] = i.prefillTokens;
    rows[o + 4] = i.decodeTokens;
    rows[o + 5] = i.kvBlocksUsed;
    rows[o + 6] = i.hostBlocksCached;
    rows[o + 7] = i.bytesToHost;
    rows[o + 8] = i.bytesFromHost;
    if (width === FIELDS.length) {
      rows[o + 9] = i.diskBlocksCached!;
      rows[o + 10] = i.bytesToDisk!;
      rows[o + 11] = i.bytesFromDisk!;
    }
  }

  /** `count` of the engine's rows (`TimedIterationRow.COUNT` numbers each, the log's fields first), copied without objects. */
  addRows(engineRows: Float64Array, count: number): void {
    const width = this.width;
    for (let k = 0, from = 0; k < count; k++, from += TimedIterationRow.COUNT) {
      const o = this.next();
      const rows = this.rows;
      for (let f = 0; f < width; f++) rows[o + f] = engineRows[from + f]!;
    }
  }

  results(): IterationResult[] {
    const width = this.width;
    return Array.from({ length: this.count }, (_, k) => {
      const rows = this.chunks[k >> CHUNK_BITS]!;
      const o = (k & (CHUNK_ROWS - 1)) * width;
      const i = {} as IterationResult;
      for (let f = 0; f < width; f++) i[FIELDS[f]!] = rows[o + f]!;
      return i;
    });
  }
}

/** `fields` with an `iterations` property made from `log` when first read (lazy-field.ts). */
export function withIterations<T extends object>(fields: T, log: IterationLog): T & { iterations: IterationResult[] } {
  return lazily(fields, "iterations", () => log.results());
}
