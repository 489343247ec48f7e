import type { IterationResult } from "./results.js";

/** An iteration's fields, in the order a log row keeps them; a run with a disk tier keeps its three more. */
const FIELDS = [
  "start", "duration", "requests", "prefillTokens", "decodeTokens", "kvBlocksUsed", "hostBlocksCached", "bytesToHost", "bytesFromHost",
  "diskBlocksCached", "bytesToDisk", "bytesFromDisk",
] as const satisfies readonly (keyof IterationResult)[];
const DISK_FIELDS = 3;

/**
 * A run's iterations as rows of numbers, made objects only when asked for: Mooncake's trace runs
 * 77K iterations, and keeping each as an object cost a third of the run (they outlive V8's young
 * generation, so every scavenge copies them).
 */
export class IterationLog {
  private readonly width: number;
  private rows: Float64Array;
  private count = 0;

  constructor(disk = false) {
    this.width = FIELDS.length - (disk ? 0 : DISK_FIELDS);
    this.rows = new Float64Array(this.width * 1024);
  }

  add(i: IterationResult): void {
    const width = this.width;
    if ((this.count + 1) * width > this.rows.length) {
      const grown = new Float64Array(this.rows.length * 2);
      grown.set(this.rows);
      this.rows = grown;
    }
    // Field by field, not by name in a loop: a keyed read of each field cost a quarter of the saving.
    const rows = this.rows;
    const o = this.count++ * width;
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

  results(): IterationResult[] {
    const width = this.width;
    return Array.from({ length: this.count }, (_, k) => {
      const i = {} as IterationResult;
      for (let f = 0; f < width; f++) i[FIELDS[f]!] = this.rows[k * width + f]!;
      return i;
    });
  }
}

/**
 * `fields` with an `iterations` property made from `log` when first read (then kept): enumerable,
 * so spreading, JSON and structured clones see it as a plain array.
 */
export function withIterations<T extends object>(fields: T, log: IterationLog): T & { iterations: IterationResult[] } {
  return Object.defineProperty(fields, "iterations", {
    enumerable: true, configurable: true,
    get(this: T) {
      const iterations = log.results();
      Object.defineProperty(this, "iterations", { value: iterations, enumerable: true, writable: true, configurable: true });
      return iterations;
    },
  }) as T & { iterations: IterationResult[] };
}
