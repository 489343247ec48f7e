import type { TimedTimeModel } from "../../assembly/abi/timed.js";

/**
 * What a time model sees of one serving iteration, and the one interface every time model
 * implements (`roofline`, `profile`). A scheduler fills an `IterationBatch` in place each
 * iteration (no allocation per iteration) and asks the model how long it runs.
 */
export interface IterationBatch {
  /** Requests in the batch; the arrays below hold one entry per request in [0, size). */
  size: number;
  /** Tokens the request runs this iteration: a prefill chunk, or 1 for a decode. */
  tokens: Int32Array;
  /** Tokens whose KV the request already holds before this iteration (its context). */
  context: Int32Array;
  /** 1 while the request is prefilling (its prompt not yet all computed), 0 when decoding. */
  prefill: Uint8Array;
  /** 1 when the request makes a token this iteration (a decode, or a prefill's last chunk). */
  samples: Uint8Array;
}

export function newIterationBatch(capacity: number): IterationBatch {
  return {
    size: 0, tokens: new Int32Array(capacity), context: new Int32Array(capacity),
    prefill: new Uint8Array(capacity), samples: new Uint8Array(capacity),
  };
}

/** Appends one request's share of the iteration (the arrays must have room). */
export function addToBatch(batch: IterationBatch, tokens: number, context: number, prefill: boolean, samples: boolean): void {
  const i = batch.size++;
  batch.tokens[i] = tokens;
  batch.context[i] = context;
  batch.prefill[i] = prefill ? 1 : 0;
  batch.samples[i] = samples ? 1 : 0;
}

export interface TimeModel {
  /** `roofline` or `profile`, as summaries report it. */
  readonly name: string;
  /** Seconds the iteration takes (simulated). */
  iterationTime(batch: IterationBatch): number;
  /**
   * The model's WebAssembly twin (assembly/timed/time-models.ts) and its numbers, computing the same
   * times. A model without one (a user's own) runs on the TypeScript reference schedulers.
   */
  readonly engine?: { id: TimedTimeModel; values: Float64Array };
}
