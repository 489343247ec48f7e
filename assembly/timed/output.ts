import { GapHistogramLayout, TimedIterationRow, TimedRequestRow } from "../abi/timed";

/**
 * What a timed run reports, in buffers the host drains (`timedDrained`) whenever a run stops:
 * completed requests' rows, iterations' rows, and the gaps between a request's consecutive output
 * tokens (inter-token latency). The host keeps the exact gaps for as long as it wants them
 * (`keepGaps`); after, gaps go to a histogram of 2^-10 relative resolution with their exact count,
 * sum and maximum, so that a run of millions summarizes its gaps in fixed memory.
 */

export let requestRows = new StaticArray<f64>(0);
export let iterationRows = new StaticArray<f64>(0);
export let gaps = new StaticArray<f64>(0);
export let requestCount: i32 = 0;
/** Requests completed since setup, and their prompt tokens (drains do not reset these). */
export let completed: f64 = 0;
export let completedPromptTokens: f64 = 0;
export let iterationCount: i32 = 0;
export let gapCount: i32 = 0;
export let keepGaps = false;

/** Histogram buckets by the top bits of a double (abi/timed.ts's `GapHistogramLayout`). */
const SUB_BITS = GapHistogramLayout.subBits;
export const GAP_BUCKETS = GapHistogramLayout.octaves << SUB_BITS;
const LOWEST = (<u64>(1023 + GapHistogramLayout.lowestExponent) << 52) >> (52 - SUB_BITS);
export let gapHistogram = new StaticArray<f64>(0);
export let gapTotal: f64 = 0;
export let gapSum: f64 = 0;
export let gapMax: f64 = 0;

export function setupOutput(requestRowsRoom: i32, iterationRowsRoom: i32, gapsRoom: i32, keep: bool): void {
  requestRows = new StaticArray<f64>(requestRowsRoom * TimedRequestRow.COUNT);
  iterationRows = new StaticArray<f64>(iterationRowsRoom * TimedIterationRow.COUNT);
  gaps = new StaticArray<f64>(gapsRoom);
  gapHistogram = new StaticArray<f64>(GAP_BUCKETS);
  keepGaps = keep;
  requestCount = 0;
  completed = 0;
  completedPromptTokens = 0;
  iterationCount = 0;
  gapCount = 0;
  gapTotal = 0;
  gapSum = 0;
  gapMax = 0;
}

/** Whether another iteration of at most `batch` requests has room for all it may write. */
@inline export function hasRoom(batch: i32): bool {
  return (requestCount + batch) * TimedRequestRow.COUNT <= requestRows.length
    && (iterationCount + 1) * TimedIterationRow.COUNT <= iterationRows.length
    && (!keepGaps || gapCount + batch <= gaps.length);
}

export function drained(): void {
  requestCount = 0;
  iterationCount = 0;
  gapCount = 0;
}

export function writeRequest(
  id: i32, arrival: f64, prompt: i32, output: i32, firstScheduled: f64, firstToken: f64, completion: f64,
  ttft: f64, tpot: f64, e2e: f64, preemptions: i32, prefixHitTokens: i32, hostHitTokens: i32, matchedPrefixBlocks: i32, diskHitTokens: i32 = 0,
): void {
  const o = requestCount++ * TimedRequestRow.COUNT;
  completed++;
  completedPromptTokens += prompt;
  const rows = requestRows;
  unchecked(rows[o + TimedRequestRow.id] = id);
  unchecked(rows[o + TimedRequestRow.arrival] = arrival);
  unchecked(rows[o + TimedRequestRow.prompt] = prompt);
  unchecked(rows[o + TimedRequestRow.output] = output);
  unchecked(rows[o + TimedRequestRow.firstScheduled] = firstScheduled);
  unchecked(rows[o + TimedRequestRow.firstToken] = firstToken);
  unchecked(rows[o + TimedRequestRow.completion] = completion);
  unchecked(rows[o + TimedRequestRow.ttft] = ttft);
  unchecked(rows[o + TimedRequestRow.tpot] = tpot);
  unchecked(rows[o + TimedRequestRow.e2e] = e2e);
  unchecked(rows[o + TimedRequestRow.preemptions] = preemptions);
  unchecked(rows[o + TimedRequestRow.prefixHitTokens] = prefixHitTokens);
  unchecked(rows[o + TimedRequestRow.hostHitTokens] = hostHitTokens);
  unchecked(rows[o + TimedRequestRow.matchedPrefixBlocks] = matchedPrefixBlocks);
  unchecked(rows[o + TimedRequestRow.diskHitTokens] = diskHitTokens);
}

export function writeIteration(
  start: f64, duration: f64, requests: i32, prefillTokens: i32, decodeTokens: i32, kvBlocksUsed: i32,
  hostBlocksCached: i32 = 0, bytesToHost: f64 = 0, bytesFromHost: f64 = 0, diskBlocksCached: i32 = 0, bytesToDisk: f64 = 0, bytesFromDisk: f64 = 0,
): void {
  const o = iterationCount++ * TimedIterationRow.COUNT;
  const rows = iterationRows;
  unchecked(rows[o + TimedIterationRow.start] = start);
  unchecked(rows[o + TimedIterationRow.duration] = duration);
  unchecked(rows[o + TimedIterationRow.requests] = requests);
  unchecked(rows[o + TimedIterationRow.prefillTokens] = prefillTokens);
  unchecked(rows[o + TimedIterationRow.decodeTokens] = decodeTokens);
  unchecked(rows[o + TimedIterationRow.kvBlocksUsed] = kvBlocksUsed);
  unchecked(rows[o + TimedIterationRow.hostBlocksCached] = hostBlocksCached);
  unchecked(rows[o + TimedIterationRow.bytesToHost] = bytesToHost);
  unchecked(rows[o + TimedIterationRow.bytesFromHost] = bytesFromHost);
  unchecked(rows[o + TimedIterationRow.diskBlocksCached] = diskBlocksCached);
  unchecked(rows[o + TimedIterationRow.bytesToDisk] = bytesToDisk);
  unchecked(rows[o + TimedIterationRow.bytesFromDisk] = bytesFromDisk);
}

/** The bucket of gap x: its exponent and top mantissa bits, clamped to the histogram. */
@inline export function gapBucket(x: f64): i32 {
  const key = <i64>(reinterpret<u64>(x) >> (52 - SUB_BITS)) - <i64>LOWEST;
  return <i32>min<i64>(max<i64>(key, 0), GAP_BUCKETS - 1);
}

/** Records a token gap: kept exactly while the host keeps them, else binned. */
@inline export function writeGap(x: f64): void {
  if (keepGaps) unchecked(gaps[gapCount++] = x);
  else binGap(x);
}

export function binGap(x: f64): void {
  const b = gapBucket(x);
  unchecked(gapHistogram[b] = gapHistogram[b] + 1);
  gapTotal += 1;
  gapSum += x;
  gapMax = max(gapMax, x);
}

/**
 * From now on gaps are only binned; the host hands back the `count` exact gaps it kept, in the
 * order they came, a buffer at a time (`binGaps`), so the histogram and its sum cover them all.
 */
export function binGaps(count: i32): void {
  for (let i = 0; i < count; i++) binGap(unchecked(gaps[i]));
}
