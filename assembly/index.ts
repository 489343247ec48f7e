/**
 * The WebAssembly ABI of the page engine (`build/kvsim.wasm`): the page hierarchy, its request
 * replay, the token kernels and the LRU stack distances of miss-ratio curves; the block pool and the serving simulation are built apart
 * (serving-index.ts). Only integers and floats cross the boundary;
 * bulk data (page sizes, trace, parameters, results) goes through typed-array views on the
 * module's memory at offsets returned here. Each run starts by resetting the arena (the stub
 * runtime never frees; a run owns everything it allocates).
 *
 * Call order: resetArena → setup → fill pageSizes (and objectIdBuffer, for a policy that reads
 * object ids), setTier × tiers →
 * traceBuffer (fill) → paramsBuffer (fill) → start → replay(chunks) → finish → metrics/event views.
 */
import { initState, pageSizeInput, allocateObjectIds, loadPageSizes, tierCapacity, tierRead, tierWrite, tierBandwidth, setTrace, computeNextUse, numTiers, numPages } from "./hierarchy/state";
import { initResidency, tierPeak, tierUsed, tierCount, residentMaskOf } from "./hierarchy/residency";
import * as metrics from "./hierarchy/metrics";
import * as engine from "./hierarchy/engine";
import * as errors from "./hierarchy/errors";
import { policyEntry } from "./policies/registry";
import { StartResult } from "./abi/policies";
import { seedRng } from "./util/rng";
import { RunField, TierField } from "./abi/hierarchy";
import { replayRequests as replayRequestList, prefixHitBlocks, resetPrefixHits } from "./blocks/prefix-replay";

let traceArray = new StaticArray<i32>(0);
let metricArray = new StaticArray<f64>(0);
let auditArray = new StaticArray<i32>(0);

export { resetArena, paramsBuffer } from "./run-input";
import { paramArray } from "./run-input";

export function setup(pages: i32, tiers: i32, profile: i32, decodePenalty: f64, seed: f64, eventCapacity: i32): void {
  initState(pages, tiers, profile, decodePenalty);
  initResidency();
  metrics.initMetrics(eventCapacity);
  seedRng(<u64>seed);
  metricArray = new StaticArray<f64>(RunField.COUNT + TierField.COUNT * tiers);
  auditArray = new StaticArray<i32>(0);
}

export function pageSizes(): usize { return changetype<usize>(pageSizeInput); }

/** Room for each page's 64-bit object id (state.ts `pageObjectIdInput`); only for a policy that reads them. */
export function objectIdBuffer(): usize { return changetype<usize>(allocateObjectIds()); }

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


/**
 * Starts the run with policy `policyId` (registry.ts) and the parameters in the params buffer.
 * Returns `StartResult.started`, another `StartResult` when the run cannot start, or the first
 * tier some page cannot fit into.
 */
export function start(policyId: i32, prefetch: bool, maxCandidates: i32): i32 {
  const entry = policyEntry(policyId);
  if (!entry) return StartResult.unknownPolicy;
  if (paramArray.length != entry.params.length) return StartResult.wrongParameterCount;
  loadPageSizes();
  const oversized = engine.firstOversizedTier();
  if (oversized >= 0) return oversized;
  if (entry.future) computeNextUse();
  engine.initEngine(entry.make(changetype<usize>(paramArray)), prefetch, maxCandidates);
  return StartResult.started;
}

// The policy registry, read by the host at build time and checked at instantiation (catalog.ts).
export { policyCount } from "./policies/registry";
export { policyText, policyFlags, policyParamCount, policyParamText, policyParamValue, policyCatalogHash } from "./policies/catalog";

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
export function errorCode(): i32 { return errors.errorCode; }
export function errorPage(): i32 { return errors.errorPage; }
export function errorTier(): i32 { return errors.errorTier; }
/** Snapshot of the counters: the `RunField`s, then the `TierField`s of each tier. */
export function metricsBuffer(): usize {
  const m = metricArray;
  m[RunField.accesses] = <f64>metrics.accesses;
  m[RunField.hits] = <f64>metrics.hits;
  m[RunField.misses] = <f64>metrics.misses;
  m[RunField.coldMisses] = <f64>metrics.coldMisses;
  m[RunField.evictions] = <f64>metrics.evictions;
  m[RunField.drops] = <f64>metrics.drops;
  m[RunField.totalLatency] = metrics.totalLatency;
  m[RunField.bytesMoved] = metrics.bytesMoved;
  m[RunField.demandBytes] = metrics.demandBytes;
  m[RunField.prefetchBytes] = metrics.prefetchBytes;
  m[RunField.prefetchRequests] = <f64>metrics.prefetchRequests;
  m[RunField.usefulPrefetches] = <f64>metrics.usefulPrefetches;
  m[RunField.wastedPrefetches] = <f64>metrics.wastedPrefetches;
  m[RunField.events] = <f64>metrics.eventCount;
  m[RunField.dropBytes] = metrics.dropBytes;
  for (let t = 0; t < numTiers; t++) {
    const o = RunField.COUNT + TierField.COUNT * t;
    m[o + TierField.hits] = <f64>metrics.tierHits[t];
    m[o + TierField.peakBytes] = <f64>tierPeak[t];
    m[o + TierField.bytesIn] = metrics.tierBytesIn[t];
    m[o + TierField.bytesOut] = metrics.tierBytesOut[t];
    m[o + TierField.evictions] = <f64>metrics.tierEvictions[t];
    m[o + TierField.usedBytes] = <f64>tierUsed[t];
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

export { setupAttention, attentionKeys, attentionQuery, attentionRowBuffer, softmaxRow } from "./tokens/attention";
export { setupScoring, scoringKeys, scoringValues, scoringWeights, scoringScores, scoringOrder, scoreLinear, selectTopK } from "./tokens/score";
export { setupRanking, rankingScores, rankingUtility, rankingOrder, rankingRetained, rank } from "./tokens/rank";
export { setupStackDistances, stackAccesses, stackWeights, stackBounds, stackDistances, stackHistogram, stackSampledAccesses } from "./mrc/stack-distances";

// The declared boundary: every enum member is exported as a global (`RunField.hits`), which the
// host checks against its own copy of these files when it instantiates the engine.
export * from "./abi/hierarchy";
export * from "./abi/block-pool";
export * from "./abi/serving";
export * from "./abi/policies";
export * from "./abi/timed";
