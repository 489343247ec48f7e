import type { RequestResult } from "./results.js";

/** A request's fields, in the order its object has them (the engine's and the reference schedulers'); a run with a disk tier has one more. */
const FIELDS = [
  "requestId", "arrival", "promptTokens", "outputTokens", "firstScheduled", "firstToken", "completion", "ttft", "tpot", "e2e",
  "preemptions", "prefixHitTokens", "hostHitTokens", "matchedPrefixBlocks", "diskHitTokens",
] as const satisfies readonly (keyof RequestResult)[];

/**
 * A run's requests as rows of numbers by request id, made objects only when asked for: a copy of
 * each completed request as an object outlived V8's young generation, and on Mooncake's trace the
 * copies cost 1-4 ms of a 45 ms run (docs/performance.md). One row per request given up front.
 */
export class RequestLog {
  private readonly width: number;
  private readonly rows: Float64Array;
  private readonly completed: Uint8Array;

  constructor(requests: number, disk = false) {
    this.width = FIELDS.length - (disk ? 0 : 1);
    this.rows = new Float64Array(requests * this.width);
    this.completed = new Uint8Array(requests);
  }

  add(r: RequestResult): void {
    // Field by field, as IterationLog.add: a keyed read in a loop costs more than the copy.
    const rows = this.rows;
    const o = r.requestId * this.width;
    this.completed[r.requestId] = 1;
    rows[o] = r.requestId;
    rows[o + 1] = r.arrival;
    rows[o + 2] = r.promptTokens;
    rows[o + 3] = r.outputTokens;
    rows[o + 4] = r.firstScheduled;
    rows[o + 5] = r.firstToken;
    rows[o + 6] = r.completion;
    rows[o + 7] = r.ttft;
    rows[o + 8] = r.tpot;
    rows[o + 9] = r.e2e;
    rows[o + 10] = r.preemptions;
    rows[o + 11] = r.prefixHitTokens;
    rows[o + 12] = r.hostHitTokens;
    rows[o + 13] = r.matchedPrefixBlocks;
    if (this.width === FIELDS.length) rows[o + 14] = r.diskHitTokens!;
  }

  /** The requests by id, a hole where one never completed. */
  results(): RequestResult[] {
    const width = this.width;
    const all = new Array<RequestResult>(this.completed.length);
    for (let id = 0; id < all.length; id++) {
      if (!this.completed[id]) continue;
      const r = {} as RequestResult;
      for (let f = 0; f < width; f++) r[FIELDS[f]!] = this.rows[id * width + f]!;
      all[id] = r;
    }
    return all;
  }
}
