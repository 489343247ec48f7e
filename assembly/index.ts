/**
 * The WebAssembly ABI of the page-hierarchy engine. Only integers and floats cross the boundary;
 * bulk data (page sizes, trace, parameters, results) goes through typed-array views on the
 * module's memory at offsets returned here. Each run starts by resetting the arena (the stub
 * runtime never frees; a run owns everything it allocates).
 *
 * Call order: resetArena → setup → fill pageSizes, setTier × tiers →
 * traceBuffer (fill) → paramsBuffer (fill) → start → replay(chunks) → finish → metrics/event views.
 */
import { initState, pageSizeInput, loadPageSizes, tierCapacity, tierRead, tierWrite, tierBandwidth, setTrace, computeNextUse, numTiers, numPages } from "./hierarchy/state";
import { initResidency, tierPeak, tierUsed, tierCount, residentMaskOf } from "./hierarchy/residency";
import * as metrics from "./hierarchy/metrics";
import * as engine from "./hierarchy/engine";
import * as errors from "./hierarchy/errors";
import { createPolicy, needsNextUse } from "./policies/factory";
import { seedRng, Stream } from "./util/rng";
import { replayRequests as replayRequestList, prefixHitBlocks, resetPrefixHits } from "./blocks/prefix-replay";

let traceArray = new StaticArray<i32>(0);
let paramArray = new StaticArray<f64>(0);
let metricArray = new StaticArray<f64>(0);
let auditArray = new StaticArray<i32>(0);

export function resetArena(): void {
  // @ts-ignore: __reset is the stub runtime's arena reset
  __reset();
}

export function setup(pages: i32, tiers: i32, profile: i32, decodePenalty: f64, seed: f64, eventCapacity: i32): void {
  initState(pages, tiers, profile, decodePenalty);
  initResidency();
  metrics.initMetrics(eventCapacity);
  seedRng(<u64>seed);
  metricArray = new StaticArray<f64>(METRIC_FIELDS + TIER_FIELDS * tiers);
  auditArray = new StaticArray<i32>(0);
}

export function pageSizes(): usize { return changetype<usize>(pageSizeInput); }

export function setTier(tier: i32, capacity: f64, read: f64, write: f64, bandwidth: f64): void {
  unchecked(tierCapacity[tier] = <i64>capacity);
  unchecked(tierRead[tier] = read);
  unchecked(tierWrite[tier] = write);
  unchecked(tierBandwidth[tier] = bandwidth);
}

export function traceBuffer(length: i32): usize {
  traceArray = new StaticArray<i32>(length);
  setTrace(traceArray, length);
  return changetype<usize>(traceArray);
}

export function paramsBuffer(length: i32): usize {
  paramArray = new StaticArray<f64>(length);
  return changetype<usize>(paramArray);
}

/** Returns the first tier a page cannot fit into, or -1; the run is only started if -1. */
export function start(policyId: i32, prefetch: bool, maxCandidates: i32): i32 {
  loadPageSizes();
  const oversized = engine.firstOversizedTier();
  if (oversized >= 0) return oversized;
  if (needsNextUse(policyId)) computeNextUse();
  engine.initEngine(createPolicy(policyId, paramArray), prefetch, maxCandidates);
  return -1;
}

export function replay(from: i32, to: i32): i32 { return engine.replay(from, to); }
export function finish(): void { engine.finish(); }

let requestOffsets = new StaticArray<i32>(0);

/** Room for `count + 1` request offsets into the trace (prefix replay); fill, then `replayRequests`. */
export function requestBuffer(count: i32): usize {
  requestOffsets = new StaticArray<i32>(count + 1);
  resetPrefixHits();
  return changetype<usize>(requestOffsets);
}

/** Replays requests [0, count) of the request buffer; returns how many completed. */
export function replayRequests(count: i32): i32 { return replayRequestList(requestOffsets, count); }
export function prefixHits(): f64 { return <f64>prefixHitBlocks; }
/** Test hook: 0 replays lru, fifo and windowed_recency-as-LRU through the general loop. */
export function allowQueueReplay(allowed: i32): void { engine.allowQueueReplay(allowed != 0); }
/** Which loop the current run replays with: 0 the general one, else the policy's queue order. */
export function replayLoop(): i32 { return engine.replayLoop(); }
export function errorCode(): i32 { return errors.errorCode; }
export function errorPage(): i32 { return errors.errorPage; }
export function errorTier(): i32 { return errors.errorTier; }
/** Test hook: heaps renumber their arrivals after `limit` inserts instead of 2^31 (0: default). */
export { setArrivalLimit } from "./util/lazy-heap";
export { checkLazyHeaps, lazyHeapChecks } from "./util/lazy-heap-check";

export const METRIC_FIELDS: i32 = 15;
export const TIER_FIELDS: i32 = 6;

/**
 * Snapshot of the counters: 15 run fields (accesses, hits, misses, cold misses, evictions, drops,
 * total latency, bytes moved, demand bytes, prefetch bytes, prefetch requests, useful, wasted,
 * events, dropped bytes), then 6 per tier (hits, peak bytes, bytes in, bytes out, evictions, used bytes).
 */
export function metricsBuffer(): usize {
  const m = metricArray;
  m[0] = <f64>metrics.accesses; m[1] = <f64>metrics.hits; m[2] = <f64>metrics.misses;
  m[3] = <f64>metrics.coldMisses; m[4] = <f64>metrics.evictions; m[5] = <f64>metrics.drops;
  m[6] = metrics.totalLatency; m[7] = metrics.bytesMoved; m[8] = metrics.demandBytes;
  m[9] = metrics.prefetchBytes; m[10] = <f64>metrics.prefetchRequests;
  m[11] = <f64>metrics.usefulPrefetches; m[12] = <f64>metrics.wastedPrefetches;
  m[13] = <f64>metrics.eventCount; m[14] = metrics.dropBytes;
  for (let t = 0; t < numTiers; t++) {
    const o = METRIC_FIELDS + TIER_FIELDS * t;
    m[o] = <f64>metrics.tierHits[t];
    m[o + 1] = <f64>tierPeak[t];
    m[o + 2] = metrics.tierBytesIn[t];
    m[o + 3] = metrics.tierBytesOut[t];
    m[o + 4] = <f64>metrics.tierEvictions[t];
    m[o + 5] = <f64>tierUsed[t];
  }
  return changetype<usize>(metricArray);
}

export function eventSteps(): usize { return changetype<usize>(metrics.eventStep); }
export function eventTypes(): usize { return changetype<usize>(metrics.eventType); }
export function eventPages(): usize { return changetype<usize>(metrics.eventPage); }
export function eventSources(): usize { return changetype<usize>(metrics.eventSrc); }
export function eventTargets(): usize { return changetype<usize>(metrics.eventDst); }
export function eventLatencies(): usize { return changetype<usize>(metrics.eventLatency); }
export function eventBytes(): usize { return changetype<usize>(metrics.eventBytes); }

/**
 * Test support: the resident-tier mask of every page, then each tier's page count, written into
 * one preallocated buffer (so that auditing after every access allocates nothing).
 */
export function auditBuffer(): usize {
  const n = numPages + numTiers;
  if (auditArray.length != n) auditArray = new StaticArray<i32>(n);
  for (let p = 0; p < numPages; p++) unchecked(auditArray[p] = residentMaskOf(p));
  for (let t = 0; t < numTiers; t++) unchecked(auditArray[numPages + t] = tierCount[t]);
  return changetype<usize>(auditArray);
}

// The paged block pool (assembly/blocks/pool.ts): one pool per instance, set up after resetArena.
export {
  setupPool as poolSetup, admit as poolAdmit, grow as poolGrow, freeRequest as poolFree, swap as poolSwap,
  checkPool as poolCheck, freeBlocks as poolFreeBlocks, cachedBlocks as poolCachedBlocks, blocksOf as poolBlocksOf,
  tierOfRequest as poolTierOf, tableOf as poolTable, cachedPrefix as poolCachedPrefix,
  hashInputBuffer as poolHashInput, nextUseInputBuffer as poolNextUseInput,
} from "./blocks/pool";
import * as pool from "./blocks/pool";

/** Pool counters: hit blocks, evicted cached blocks, blocks swapped out, blocks swapped in. */
export function poolStats(which: i32): f64 {
  if (which == 0) return <f64>pool.hitBlocks;
  if (which == 1) return <f64>pool.evictedBlocks;
  if (which == 2) return <f64>pool.swappedOutBlocks;
  return <f64>pool.swappedInBlocks;
}

// The serving environment (assembly/serving/sim.ts), on the block pool; set up after resetArena.
export {
  setupServing as servingSetup, resetServing as servingReset, stepServing as servingStep, servingTick, servingDone,
  servingScore, countersBuffer as servingCounters, observationBuffer as servingObservation, schedulerAction as servingSchedulerAction,
  runScheduler as servingRunScheduler, checkServing as servingCheck, setTraceTraffic as servingSetTrace,
  traceBuffer as servingTraceBuffer,
} from "./serving/sim";
import * as serving from "./serving/sim";

export function servingReward(): f64 { return serving.lastReward; }

/**
 * `count` standard normal deviates from the traffic sampler (a Stream's ziggurat) for `seed`,
 * written to a fresh arena buffer whose address is returned, so hosts and tests can check the
 * distribution the serving traffic draws from. Call after resetArena.
 */
export function sampleNormals(seed: f64, count: i32): usize {
  const out = new StaticArray<f64>(count);
  const stream = new Stream(<u64>seed, 0);
  for (let i = 0; i < count; i++) unchecked(out[i] = stream.normal(0.0, 1.0));
  return changetype<usize>(out);
}

export { setupAttention, attentionKeys, attentionQuery, attentionRowBuffer, softmaxRow } from "./tokens/attention";
export { setupScoring, scoringKeys, scoringValues, scoringWeights, scoringScores, scoringOrder, scoreLinear, selectTopK } from "./tokens/score";
export { setupRanking, rankingScores, rankingUtility, rankingOrder, rankingRetained, rank } from "./tokens/rank";
