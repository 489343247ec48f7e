import { TimedInput } from "../abi/timed";
import { resizedF64, resizedI32 } from "../util/arrays";
import { SlotDeque } from "../util/slot-deque";

/**
 * The requests a timed run holds: fed by the host in arrival order (a chunk at a time, so that a
 * run of millions keeps only the requests in flight), each in a slot of this table until it
 * completes and its row is written. Slots are recycled; the table doubles when the host feeds more
 * than it has room for (an overloaded server's waiting queue has no bound known in advance).
 */

/** Content ids live in chunks of CHUNK_IDS ids and a link to the next chunk, recycled through a free list. */
const CHUNK_IDS = 31;
const CHUNK = CHUNK_IDS + 1;

export let capacity: i32 = 0;
export let id = new StaticArray<i32>(0);
export let arrival = new StaticArray<f64>(0);
export let prompt = new StaticArray<i32>(0);
export let output = new StaticArray<i32>(0);
export let contentTokens = new StaticArray<i32>(0);
export let contentUnit = new StaticArray<i32>(0);
/** The slot's first id chunk, -1 for none. */
export let firstChunk = new StaticArray<i32>(0);
let freeSlots = new SlotDeque(0);

let chunks = new StaticArray<i32>(0);
let freeChunk: i32 = -1;
let chunkCount: i32 = 0;
// Where the last `contentId` call ended: hashing reads a slot's ids in order, so the next call
// goes on from that chunk instead of walking the slot's chunks from the first again.
let walkSlot: i32 = -1;
let walkChunk: i32 = -1;
let walkBase: i32 = 0;

/** Fed and not yet arrived, in arrival order. */
export let pending = new SlotDeque(0);
/** The host said no request follows those fed. */
export let inputEnded = false;
/**
 * The host said every request arriving before this time has been fed (a router feeding one
 * request at a time lets each instance run up to the next arrival it routes).
 */
export let fedUntil: f64 = -Infinity;

/** Host-filled inputs of the next `feed`: rows of `TimedInput` and the ids they count. */
export let inputRows = new StaticArray<f64>(0);
export let inputIds = new StaticArray<i32>(0);

/** A fresh table of `initial` slots; every array is allocated anew, as the host reset the arena before the run. */
export function setupRequests(initial: i32): void {
  capacity = 0;
  id = new StaticArray<i32>(0);
  arrival = new StaticArray<f64>(0);
  prompt = new StaticArray<i32>(0);
  output = new StaticArray<i32>(0);
  contentTokens = new StaticArray<i32>(0);
  contentUnit = new StaticArray<i32>(0);
  firstChunk = new StaticArray<i32>(0);
  freeSlots = new SlotDeque(initial);
  chunks = new StaticArray<i32>(CHUNK * 64);
  freeChunk = -1;
  chunkCount = 0;
  pending = new SlotDeque(1024);
  walkSlot = -1;
  inputEnded = false;
  fedUntil = -Infinity;
  inputRows = new StaticArray<f64>(0);
  inputIds = new StaticArray<i32>(0);
  resizeRequests(initial);
}

/** Grows the table to `n` slots; the new ones are free. */
export function resizeRequests(n: i32): void {
  id = resizedI32(id, n);
  arrival = resizedF64(arrival, n);
  prompt = resizedI32(prompt, n);
  output = resizedI32(output, n);
  contentTokens = resizedI32(contentTokens, n);
  contentUnit = resizedI32(contentUnit, n);
  firstChunk = resizedI32(firstChunk, n);
  // Lowest slots first, so a run uses the same slots whatever the table's size.
  for (let s = n - 1; s >= capacity; s--) freeSlots.pushBack(s);
  capacity = n;
}

export function freeSlotCount(): i32 {
  return freeSlots.length;
}

export function inputBuffers(rows: i32, ids: i32): void {
  if (inputRows.length < rows * TimedInput.COUNT) inputRows = new StaticArray<f64>(rows * TimedInput.COUNT);
  if (inputIds.length < ids) inputIds = new StaticArray<i32>(ids);
}

function takeChunk(): i32 {
  if (freeChunk >= 0) {
    const c = freeChunk;
    freeChunk = unchecked(chunks[c * CHUNK + CHUNK_IDS]);
    return c;
  }
  if ((chunkCount + 1) * CHUNK > chunks.length) chunks = resizedI32(chunks, chunks.length * 2);
  return chunkCount++;
}

/**
 * Takes the `count` requests of the input rows into free slots (the caller has made room) and
 * queues them as pending. Arrivals must not decrease, within a feed or across feeds.
 */
export function feed(count: i32): void {
  let ids = 0;
  for (let k = 0; k < count; k++) {
    const row = k * TimedInput.COUNT;
    const s = freeSlots.popBack();
    const at = inputRows[row + TimedInput.arrival];
    if (pending.length > 0 && at < unchecked(arrival[pending.last()])) abort("timed: requests fed out of arrival order");
    unchecked(id[s] = <i32>inputRows[row + TimedInput.id]);
    unchecked(arrival[s] = at);
    unchecked(prompt[s] = <i32>inputRows[row + TimedInput.prompt]);
    unchecked(output[s] = <i32>inputRows[row + TimedInput.output]);
    unchecked(contentTokens[s] = <i32>inputRows[row + TimedInput.contentTokens]);
    unchecked(contentUnit[s] = <i32>inputRows[row + TimedInput.contentUnit]);
    const n = <i32>inputRows[row + TimedInput.ids];
    let head = -1;
    let tail = -1;
    for (let i = 0; i < n; i += CHUNK_IDS) {
      const c = takeChunk();
      const base = c * CHUNK;
      const m = min(CHUNK_IDS, n - i);
      for (let j = 0; j < m; j++) unchecked(chunks[base + j] = inputIds[ids + i + j]);
      unchecked(chunks[base + CHUNK_IDS] = -1);
      if (tail < 0) head = c;
      else unchecked(chunks[tail * CHUNK + CHUNK_IDS] = c);
      tail = c;
    }
    ids += n;
    unchecked(firstChunk[s] = head);
    if (walkSlot == s) walkSlot = -1; // a new request in the slot: the last walk was another's
    pending.pushBack(s);
  }
}

export function endInput(): void {
  inputEnded = true;
}

/** The slot's content id `unit`: its chunks walked from the last call's place when that is on the way, else from the first. */
export function contentId(s: i32, unit: i32): i32 {
  let c: i32;
  let base: i32;
  if (s == walkSlot && unit >= walkBase) {
    c = walkChunk;
    base = walkBase;
  } else {
    c = unchecked(firstChunk[s]);
    base = 0;
  }
  while (unit - base >= CHUNK_IDS) {
    c = unchecked(chunks[c * CHUNK + CHUNK_IDS]);
    base += CHUNK_IDS;
  }
  walkSlot = s;
  walkChunk = c;
  walkBase = base;
  return unchecked(chunks[c * CHUNK + unit - base]);
}

/** Frees a completed request's slot and its ids. */
export function release(s: i32): void {
  let c = unchecked(firstChunk[s]);
  while (c >= 0) {
    const next = unchecked(chunks[c * CHUNK + CHUNK_IDS]);
    unchecked(chunks[c * CHUNK + CHUNK_IDS] = freeChunk);
    freeChunk = c;
    c = next;
  }
  unchecked(firstChunk[s] = -1);
  if (walkSlot == s) walkSlot = -1;
  freeSlots.pushBack(s);
}

@inline export function firstPendingArrival(): f64 {
  return unchecked(arrival[pending.first()]);
}

@inline export function lastPendingArrival(): f64 {
  return unchecked(arrival[pending.last()]);
}

/**
 * Whether the scheduler must have more input before it can go on at clock `horizon`: it may only
 * act once it knows a request arriving after `horizon`, or that none will (the input ended, or
 * every request before `fedUntil` > `horizon` is fed).
 */
@inline export function needsInput(horizon: f64): bool {
  return !inputEnded && horizon >= fedUntil && (pending.length == 0 || lastPendingArrival() <= horizon);
}

/** Every request arriving before `time` has been fed (never moves back). */
export function feedUntil(time: f64): void {
  fedUntil = max(fedUntil, time);
}
