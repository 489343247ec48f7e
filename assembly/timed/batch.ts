/**
 * The iteration being formed: what a time model sees of it (src/timed/time-model.ts's
 * `IterationBatch`), one entry per request in [0, size), plus the request-table slot of each
 * entry for the scheduler. Preallocated for the run's largest batch; an append past it aborts.
 */
export let size: i32 = 0;
/** Tokens the request runs this iteration: a prefill chunk, or 1 for a decode. */
export let tokens = new StaticArray<i32>(0);
/** Tokens whose KV it already holds. */
export let context = new StaticArray<i32>(0);
/** 1 while it is prefilling. */
export let prefill = new StaticArray<u8>(0);
/** 1 when it makes a token this iteration. */
export let samples = new StaticArray<u8>(0);
export let slots = new StaticArray<i32>(0);
/** The batch's prefill and decode tokens, counted as entries are added (globals: no memory traffic). */
export let prefillTokens: i32 = 0;
export let decodeTokens: i32 = 0;

export function setupBatch(capacity: i32): void {
  tokens = new StaticArray<i32>(capacity);
  context = new StaticArray<i32>(capacity);
  prefill = new StaticArray<u8>(capacity);
  samples = new StaticArray<u8>(capacity);
  slots = new StaticArray<i32>(capacity);
  clearBatch();
}

export function clearBatch(): void {
  size = 0;
  prefillTokens = 0;
  decodeTokens = 0;
}

/** Appends request `slot`'s share of the iteration; past the capacity a scheduler bug aborts loudly. */
@inline export function addToBatch(slot: i32, n: i32, ctx: i32, isPrefill: bool, sampling: bool): void {
  const i = size++;
  if (i >= slots.length) abort("timed: a batch outgrew its capacity");
  unchecked(slots[i] = slot);
  unchecked(tokens[i] = n);
  unchecked(context[i] = ctx);
  unchecked(prefill[i] = <u8>isPrefill);
  unchecked(samples[i] = <u8>sampling);
  if (isPrefill) prefillTokens += n;
  else decodeTokens += n;
}
