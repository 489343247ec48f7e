/**
 * The WebAssembly ABI of the serving engine (`build/kvsim-serving.wasm`): the paged block pool and
 * the serving simulation on it. It is built apart from the page engine (index.ts) although both
 * run the same page policies: the optimizer inlines a policy hook that has one caller into it, and
 * the page engine's replay loop is that caller only in a build without the pool (one build with
 * both made the hook-heavy policies 10-35% slower in the page engine).
 */
import { StartResult } from "./abi/policies";
import { PoolStat } from "./abi/block-pool";
import { paramArray } from "./run-input";

export { resetArena, paramsBuffer } from "./run-input";

// The paged block pool (assembly/blocks/pool.ts): one pool per instance, set up after resetArena.
export {
  admit as poolAdmit, grow as poolGrow, freeRequest as poolFree, swap as poolSwap,
  checkPool as poolCheck, freeBlocks as poolFreeBlocks, cachedBlocks as poolCachedBlocks, blocksOf as poolBlocksOf,
  tierOfRequest as poolTierOf, tableOf as poolTable, cachedPrefix as poolCachedPrefix,
  hashInputBuffer as poolHashInput, nextUseInputBuffer as poolNextUseInput,
  storeContent as poolStoreContent, storeHolds as poolStoreHolds, useStoredContent as poolUseStoredContent,
} from "./blocks/pool";
import * as pool from "./blocks/pool";
import { checkBlockPolicy } from "./blocks/cached-content";

/**
 * Sets the pool up (blocks/pool.ts `setupPool`), evicting with page policy `policyId` and the
 * parameters in the params buffer. Returns `StartResult.started`, or why it cannot evict blocks.
 */
export function poolSetup(gpuBlocks: i32, cpuBlocks: i32, tokensPerBlock: i32, requests: i32, blocksPerRequest: i32, policyId: i32, seed: f64): i32 {
  const result = checkBlockPolicy(policyId, paramArray.length);
  if (result != StartResult.started) return result;
  pool.setupPool(gpuBlocks, cpuBlocks, tokensPerBlock, requests, blocksPerRequest, policyId, changetype<usize>(paramArray), <u64>seed);
  return result;
}

/** A pool counter since setup, by `PoolStat`. */
export function poolStats(which: i32): f64 {
  if (which == PoolStat.hitBlocks) return <f64>pool.hitBlocks;
  if (which == PoolStat.evictedBlocks) return <f64>pool.evictedBlocks;
  if (which == PoolStat.swappedOutBlocks) return <f64>pool.swappedOutBlocks;
  return <f64>pool.swappedInBlocks;
}

// The serving environment (assembly/serving/sim.ts), on the block pool; set up after resetArena.
export {
  resetServing as servingReset, stepServing as servingStep, servingTick, servingDone,
  servingScore, countersBuffer as servingCounters, observationBuffer as servingObservation, schedulerAction as servingSchedulerAction,
  runScheduler as servingRunScheduler, checkServing as servingCheck, setTraceTraffic as servingSetTrace,
  traceBuffer as servingTraceBuffer,
} from "./serving/sim";
import * as serving from "./serving/sim";

export function servingReward(): f64 { return serving.lastReward; }

/**
 * Sets the serving environment up (serving/sim.ts `setupServing`), its pool evicting with page
 * policy `policyId` and the parameters in the params buffer: a `StartResult`, as `poolSetup`.
 */
export function servingSetup(
  gpu: i32, cpu: i32, tokensPerBlock: i32, ticks: i32, batch: i32, perTick: i32, vip: f64, power: f64,
  trafficShape: i32, free: i32, vipSla: i32, freeQueueMax: i32, vipQueueMax: i32, returning: f64, tokensCap: i32, requestSlots: i32,
  policyId: i32,
): i32 {
  const result = checkBlockPolicy(policyId, paramArray.length);
  if (result != StartResult.started) return result;
  serving.setupServing(
    gpu, cpu, tokensPerBlock, ticks, batch, perTick, vip, power, trafficShape, free, vipSla, freeQueueMax, vipQueueMax,
    returning, tokensCap, requestSlots, policyId, changetype<usize>(paramArray),
  );
  return result;
}

// The timed serving simulator (assembly/timed/sim.ts), on the block pool; set up after resetArena.
export {
  configBuffer as timedConfigBuffer, modelBuffer as timedModelBuffer, setup as timedSetup, inputBuffers as timedInputBuffers,
  inputRows as timedInputRows, inputIds as timedInputIds, feed as timedFeed, endInput as timedEndInput, feedUntil as timedFeedUntil, run as timedRun,
  pendingRows as timedPending, outputBuffer as timedOutput, drained as timedDrained, dropGaps as timedDropGaps, binGaps as timedBinGaps,
  gapRoom as timedGapRoom,
  gapHistogram as timedGapHistogram, gapBuckets as timedGapBuckets, gapStat as timedGapStat, clock as timedClock,
  usedBlocks as timedUsedBlocks, runningCount as timedRunning, check as timedCheck, counter as timedCounter,
  probeBuffer as timedProbeBuffer, cachedPrefixOf as timedCachedPrefix,
} from "./timed/sim";
// The trace's future for belady (timed/future.ts): after `timedSetup`, room made, then filled by the host.
export { setupFuture as timedSetupFuture, startsBuffer as timedFutureStarts, usesBuffer as timedFutureUses } from "./timed/future";

// The policy registry, checked at instantiation (catalog.ts).
export { policyCount } from "./policies/registry";
export { policyText, policyFlags, policyParamCount, policyParamText, policyParamValue, policyCatalogHash } from "./policies/catalog";

// The declared boundary, as in index.ts.
export * from "./abi/hierarchy";
export * from "./abi/block-pool";
export * from "./abi/serving";
export * from "./abi/policies";
export * from "./abi/timed";
