import { StartResult } from "../abi/policies";
import { TimedConfig, TimedCounter, TimedGapStat, TimedOutput, TimedScheduler, TimedSetupResult, TimedStop } from "../abi/timed";
import * as pool from "../blocks/pool";
import { blockPolicyParamCount, checkBlockPolicy } from "../blocks/cached-content";
import { paramArray } from "../run-input";
import * as batch from "./batch";
import { resizeHashes, setupHashes } from "./block-hashes";
import { clearFuture } from "./future";
import * as output from "./output";
import * as requests from "./requests";
import { Scheduler } from "./scheduler";
import { schedulerOf, vllmPoolSlots } from "./schedulers";
import { timeModelOf } from "./time-models";
import { Vllm } from "./vllm";

/**
 * The timed serving simulator's run (src/wasm/timed.ts drives it): set up from the config and
 * model buffers, fed requests in arrival order, run until it needs input, its output buffers are
 * full, a number of iterations has run, or it is done. The whole scheduling loop runs here; the
 * host crosses the boundary once per chunk of requests or rows, never per request or iteration.
 */

// Allocated by the calls below, never at start: the host resets the arena after instantiating.
let config = new StaticArray<f64>(0);
let modelValues = new StaticArray<f64>(0);
let scheduler: Scheduler | null = null;

/** Rows of each output buffer: a run stops to be drained when the next iteration might not fit. */
const OUTPUT_ROWS = 8192;

export function configBuffer(): usize {
  config = new StaticArray<f64>(TimedConfig.COUNT);
  return changetype<usize>(config);
}

export function modelBuffer(length: i32): usize {
  modelValues = new StaticArray<f64>(length);
  return changetype<usize>(modelValues);
}

/**
 * Sets a run up from the config and model buffers; vllm's block pool evicts with page policy
 * `policyId` and the parameters in the params buffer (seeded by `seed`), its host tier with
 * `TimedConfig.hostEviction` and the parameters after those, its disk tier with
 * `TimedConfig.diskEviction` and the parameters after the host's. Returns `StartResult.started`,
 * or why not (a `StartResult` or `TimedSetupResult`).
 */
export function setup(policyId: i32, seed: f64): i32 {
  const model = timeModelOf(<i32>config[TimedConfig.timeModel], modelValues);
  if (!model) return TimedSetupResult.badTimeModel;
  const id = <i32>config[TimedConfig.scheduler];
  const seats = <i32>config[TimedConfig.maxNumSeqs];
  if (id == TimedScheduler.vllm) {
    const hostId = <i32>config[TimedConfig.hostEviction];
    const diskId = <i32>config[TimedConfig.diskEviction];
    // A tier's parameters follow the tier above's, the declared counts splitting them: the last policy given takes the rest.
    const gpuWords = hostId < 0 && diskId < 0 ? paramArray.length : blockPolicyParamCount(policyId);
    const hostWords = hostId < 0 ? 0 : diskId < 0 ? paramArray.length - gpuWords : blockPolicyParamCount(hostId);
    if (gpuWords < 0 || hostWords < 0) return StartResult.unknownPolicy;
    if (gpuWords + hostWords > paramArray.length) return StartResult.wrongParameterCount;
    const result = checkBlockPolicy(policyId, gpuWords);
    if (result != StartResult.started) return result;
    if (hostId >= 0) {
      const hostResult = checkBlockPolicy(hostId, hostWords);
      if (hostResult != StartResult.started) return hostResult;
    }
    if (diskId >= 0) {
      const diskResult = checkBlockPolicy(diskId, paramArray.length - gpuWords - hostWords);
      if (diskResult != StartResult.started) return diskResult;
    }
    const params = changetype<usize>(paramArray);
    // A shared disk tier is another instance's: this pool keeps no disk blocks (diskBlocks is the store's capacity).
    const shared = config[TimedConfig.diskShared] != 0;
    pool.setupPool(
      <i32>config[TimedConfig.kvBlocks], <i32>config[TimedConfig.hostBlocks], <i32>config[TimedConfig.blockSize], vllmPoolSlots(config), <i32>config[TimedConfig.maxBlocksPerRequest],
      policyId, params, <u64>seed, hostId, params + (<usize>gpuWords << 3),
      shared ? 0 : <i32>config[TimedConfig.diskBlocks], diskId, params + (<usize>(gpuWords + hostWords) << 3),
    );
    if (shared) pool.setDiskShared();
    pool.setOffload(<i32>config[TimedConfig.offload]);
    pool.setDiskOffload(<i32>config[TimedConfig.diskOffload]);
  }
  const s = schedulerOf(config, model);
  if (!s) return TimedSetupResult.unknownScheduler;
  scheduler = s;
  // The arena was reset since the last run: an array from before would point at reused memory.
  probe = new StaticArray<f64>(0);
  clearFuture();
  batch.setupBatch(seats);
  requests.setupRequests(1024);
  setupHashes(requests.capacity);
  s.resize(requests.capacity);
  output.setupOutput(max(OUTPUT_ROWS, 2 * seats), OUTPUT_ROWS, max(OUTPUT_ROWS * 8, 2 * seats), config[TimedConfig.keepGaps] != 0);
  return StartResult.started;
}

/** Room for `rows` input rows and `ids` content ids; fill them through `inputRows` / `inputIds`. */
export function inputBuffers(rows: i32, ids: i32): void {
  requests.inputBuffers(rows, ids);
}

export function inputRows(): usize {
  return changetype<usize>(requests.inputRows);
}

export function inputIds(): usize {
  return changetype<usize>(requests.inputIds);
}

/** Takes `count` requests from the input buffers (in arrival order, after those fed before). */
export function feed(count: i32): void {
  const free = requests.freeSlotCount();
  if (free < count) {
    const n = max(requests.capacity * 2, requests.capacity + count - free);
    requests.resizeRequests(n);
    scheduler!.resize(n);
    resizeHashes(n);
  }
  requests.feed(count);
}

export function endInput(): void {
  requests.endInput();
}

/** Every request arriving before `time` has been fed: the scheduler may run until its clock reaches it. */
export function feedUntil(time: f64): void {
  requests.feedUntil(time);
}

/** Runs until a `TimedStop` (`paused` after `maxIterations` iterations; 0 for no limit). */
export function run(maxIterations: i32): i32 {
  const s = scheduler!;
  let n = 0;
  while (true) {
    const stop = s.step();
    if (stop >= 0) return stop;
    if (++n == maxIterations) return TimedStop.paused;
  }
}

export function pendingRows(which: i32): i32 {
  if (which == TimedOutput.requests) return output.requestCount;
  if (which == TimedOutput.iterations) return output.iterationCount;
  return output.gapCount;
}

export function outputBuffer(which: i32): usize {
  if (which == TimedOutput.requests) return changetype<usize>(output.requestRows);
  if (which == TimedOutput.iterations) return changetype<usize>(output.iterationRows);
  return changetype<usize>(output.gaps);
}

export function drained(): void {
  output.drained();
}

/** From now on, bin gaps instead of writing them (the host has stopped keeping them exactly). */
export function dropGaps(): void {
  output.keepGaps = false;
}

/** Values the gap buffer holds. */
export function gapRoom(): i32 {
  return output.gaps.length;
}

/** Bins the first `count` values of the gap buffer, which the host filled with gaps it kept. */
export function binGaps(count: i32): void {
  output.binGaps(count);
}

export function gapHistogram(): usize {
  return changetype<usize>(output.gapHistogram);
}

export function gapBuckets(): i32 {
  return output.GAP_BUCKETS;
}

export function gapStat(which: i32): f64 {
  return which == TimedGapStat.count ? output.gapTotal : which == TimedGapStat.sum ? output.gapSum : output.gapMax;
}

export function clock(): f64 {
  return scheduler!.clock();
}

export function usedBlocks(): i32 {
  return scheduler!.usedBlocks();
}

/** Where a router writes a request's block hashes (below 2^53, as doubles) to ask what this instance caches; made anew by `setup`. */
let probe = new StaticArray<f64>(0);

export function probeBuffer(count: i32): usize {
  if (probe.length < count) probe = new StaticArray<f64>(count);
  return changetype<usize>(probe);
}

/**
 * How many of the `count` hashes in the probe buffer lead a prefix cached on the GPU, then how
 * many more continue it in the host tier, as `gpu + host × 2^20`. vllm with prefix caching only
 * (the pool's state is read, never changed); `count` is at most the pool's table row.
 */
export function cachedPrefixOf(count: i32): i32 {
  const n = min(count, pool.hashInput.length);
  for (let k = 0; k < n; k++) unchecked(pool.hashInput[k] = <i64>unchecked(probe[k]));
  const gpu = pool.cachedPrefix(pool.GPU, n);
  const host = pool.cachedBlocks(pool.CPU) > 0 ? pool.cachedRun(pool.CPU, gpu, n) : 0;
  return gpu + (host << 20);
}

export function runningCount(): i32 {
  return scheduler!.runningCount();
}

export function check(): i32 {
  return scheduler!.check();
}

/** One of the run's totals (`TimedCounter`): requests completed, a host or disk tier's offloads, loads and link time (0 without one). */
export function counter(which: i32): f64 {
  if (which == TimedCounter.completedRequests) return output.completed;
  if (which == TimedCounter.completedPromptTokens) return output.completedPromptTokens;
  const s = scheduler;
  if (!(s instanceof Vllm)) return 0;
  const v = <Vllm>s;
  if (which == TimedCounter.offloadedBlocks) return <f64>pool.offloadedBlocks;
  if (which == TimedCounter.swappedOutBlocks) return <f64>pool.swappedOutBlocks;
  if (which == TimedCounter.swappedInBlocks) return <f64>pool.swappedInBlocks;
  if (which == TimedCounter.loadedBlocks) return <f64>v.loadedBlocks;
  if (which == TimedCounter.toHostBusyS) return v.toHost ? v.toHost!.busyS : 0;
  if (which == TimedCounter.fromHostBusyS) return v.fromHost ? v.fromHost!.busyS : 0;
  if (which == TimedCounter.diskOffloadedBlocks) return <f64>pool.diskOffloadedBlocks;
  if (which == TimedCounter.stagedBlocks) return <f64>pool.stagedBlocks;
  const disk = v.disk;
  if (!disk) return which < TimedCounter.COUNT ? 0 : NaN;
  if (which == TimedCounter.diskLoadedBlocks) return <f64>disk.loadedBlocks;
  if (which == TimedCounter.toDiskBusyS) return disk.write.busyS;
  if (which == TimedCounter.fromDiskBusyS) return disk.read.busyS;
  return NaN;
}
