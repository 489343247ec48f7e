import {
  TimedCacheModel, TimedConfig, TimedCounter, TimedGapStat, TimedOffload, TimedInput, TimedInvariant, TimedIterationRow, TimedOutput, TimedRequestRow, TimedScheduler, TimedSetupResult,
  TimedStop, TimedTimeModel,
} from "../../assembly/abi/timed.js";
import type { RequestFuture } from "../timed/future.js";
import type { ServingRequest } from "../timed/requests.js";
import { setupWithEviction, type BlockEviction } from "./block-eviction.js";
import { instantiate, servingModule, view, type ServingExports } from "./instance.js";
import type { SharedTierStore } from "./shared-tier.js";

export { TimedCacheModel, TimedInvariant, TimedIterationRow, TimedOffload, TimedRequestRow, TimedScheduler, TimedStop, TimedTimeModel };

/** vllm's host (CPU DRAM) tier below the GPU, and its link (docs/model.md). */
export interface HostTierConfig {
  blocks: number;
  offload: TimedOffload;
  /** Bytes of one block on one GPU: what one GPU's link carries for it. */
  blockBytes: number;
  linkBytesPerS: number;
  linkLatencyS: number;
  /** Loads pipelined with compute over this many layers; 0: a request waits for its whole load. */
  loadLayers: number;
  /** Preempt by swapping blocks to the host tier (when it has room) instead of by recompute. */
  swapPreemption: boolean;
  /** Load a prefix found in the host only when that is estimated faster than computing it. */
  loadIfFaster: boolean;
  /** The host tier's eviction policy; absent, the GPU's (one policy instance evicting both tiers). */
  eviction?: BlockEviction;
  /** A disk tier (local disk or a remote store) below the host tier. */
  disk?: DiskTierConfig;
}

/** vllm's disk tier below the host tier, and its link to the host (docs/model.md). */
export interface DiskTierConfig {
  blocks: number;
  /** When a host block's content is copied to disk: as the host evicts it, or as it enters the host. */
  offload: TimedOffload;
  /** Reads come up disk → host, writes go down host → disk. */
  read: { bytesPerS: number; latencyS: number };
  write: { bytesPerS: number; latencyS: number };
  /** The disk tier's eviction policy; absent, the host tier's. */
  eviction?: BlockEviction;
  /** One store all instances of a fleet share (`TimedEngineConfig.sharedTier` holds it) instead of each its own. */
  shared?: boolean;
}

/** A host tier's totals after a run, and its disk tier's (zeros without one). */
export interface HostTierCounters {
  offloadedBlocks: number;
  loadedBlocks: number;
  swappedOutBlocks: number;
  swappedInBlocks: number;
  toHostBusyS: number;
  fromHostBusyS: number;
  /** Blocks copied host → disk, read disk → host for loads, and of those kept cached in the host tier. */
  diskOffloadedBlocks: number;
  diskLoadedBlocks: number;
  stagedBlocks: number;
  toDiskBusyS: number;
  fromDiskBusyS: number;
}

/** A timed run's settings (assembly/abi/timed.ts's `TimedConfig`). */
export interface TimedEngineConfig {
  scheduler: TimedScheduler;
  kvBlocks: number;
  blockSize: number;
  maxNumSeqs: number;
  maxBatchedTokens: number;
  chunkSize: number;
  watermarkBlocks: number;
  prefixCaching: boolean;
  maxBlocksPerRequest: number;
  /** The time model's engine twin and its numbers (time-model.ts's `TimeModel.engine`). */
  timeModel: { id: TimedTimeModel; values: Float64Array };
  /** vllm's pool eviction (block-eviction.ts). */
  eviction: BlockEviction;
  seed: number;
  keepGaps: boolean;
  /** vllm only. */
  hostTier?: HostTierConfig;
  /** vllm: what its pool caches and shares (default `TimedCacheModel.vllm`). */
  cacheModel?: TimedCacheModel;
  /** vllm: every block's next use (src/timed/future.ts), for a policy reading the future; absent, none is given. */
  future?: RequestFuture;
  /** The fleet's store when the disk tier is `shared`; it evicts by its own policy (the disk tier's). */
  sharedTier?: SharedTierStore;
}

/** Rows a run wrote since it was last drained; views into the engine's memory, valid until its next call. */
export interface TimedRows {
  /** `count` rows of `TimedRequestRow.COUNT` values. */
  requests: Float64Array;
  requestCount: number;
  iterations: Float64Array;
  iterationCount: number;
  /** Exact token gaps, while the run keeps them. */
  gaps: Float64Array;
}

/** The token gaps' histogram and exact statistics (assembly/timed/output.ts). */
export interface GapHistogram {
  counts: Float64Array;
  count: number;
  sum: number;
  max: number;
}

/**
 * The timed serving simulator's engine (assembly/timed/sim.ts) behind a typed facade that owns its
 * instance: requests go in by chunks, rows come out by chunks, and the scheduling loop runs in
 * WebAssembly between them. One engine runs one simulation at a time and can run many in turn
 * (`start` resets it), so a sweep does not pay for a fresh instance each run. src/timed/engine-run.ts
 * drives it.
 */
export class TimedEngine {
  private readonly w: ServingExports;
  /** The run's shared disk tier, which the instance reaches through the calls it was given. */
  private shared: SharedTierStore | null = null;

  constructor(module: WebAssembly.Module = servingModule()) {
    const store = () => {
      if (!this.shared) throw new Error("the engine asked for a shared disk tier its run was not given");
      return this.shared;
    };
    this.w = instantiate<ServingExports>(module, "timed", this, {
      sharedTierHas: (hash) => store().calls.sharedTierHas(hash),
      sharedTierPut: (hash) => store().calls.sharedTierPut(hash),
      sharedTierUse: (hash) => store().calls.sharedTierUse(hash),
      sharedTierCount: () => store().calls.sharedTierCount(),
    });
  }

  /** Bytes of the instance's memory (it only grows: a run of millions leaves it large). */
  get memoryBytes(): number {
    return this.w.memory.buffer.byteLength;
  }

  /** Sets a new run up, forgetting any before it. */
  start(config: TimedEngineConfig): void {
    const w = this.w;
    w.resetArena();
    const c = view(w, Float64Array, w.timedConfigBuffer(), TimedConfig.COUNT);
    c[TimedConfig.scheduler] = config.scheduler;
    c[TimedConfig.timeModel] = config.timeModel.id;
    c[TimedConfig.kvBlocks] = config.kvBlocks;
    c[TimedConfig.blockSize] = config.blockSize;
    c[TimedConfig.maxNumSeqs] = config.maxNumSeqs;
    c[TimedConfig.maxBatchedTokens] = config.maxBatchedTokens;
    c[TimedConfig.chunkSize] = config.chunkSize;
    c[TimedConfig.watermarkBlocks] = config.watermarkBlocks;
    c[TimedConfig.prefixCaching] = config.prefixCaching ? 1 : 0;
    c[TimedConfig.maxBlocksPerRequest] = config.maxBlocksPerRequest;
    c[TimedConfig.keepGaps] = config.keepGaps ? 1 : 0;
    const host = config.hostTier;
    c[TimedConfig.hostBlocks] = host?.blocks ?? 0;
    c[TimedConfig.offload] = host?.offload ?? TimedOffload.onEviction;
    c[TimedConfig.blockBytes] = host?.blockBytes ?? 0;
    c[TimedConfig.hostLinkBytesPerS] = host?.linkBytesPerS ?? 0;
    c[TimedConfig.hostLinkLatencyS] = host?.linkLatencyS ?? 0;
    c[TimedConfig.cacheModel] = config.cacheModel ?? TimedCacheModel.vllm;
    c[TimedConfig.hostLoadLayers] = host?.loadLayers ?? 0;
    c[TimedConfig.swapPreemption] = host?.swapPreemption ? 1 : 0;
    c[TimedConfig.hostLoadIfFaster] = host?.loadIfFaster ? 1 : 0;
    c[TimedConfig.hostEviction] = host?.eviction?.policy.id ?? -1;
    const disk = host?.disk;
    c[TimedConfig.diskBlocks] = disk?.blocks ?? 0;
    c[TimedConfig.diskOffload] = disk?.offload ?? TimedOffload.onEviction;
    c[TimedConfig.diskReadBytesPerS] = disk?.read.bytesPerS ?? 0;
    c[TimedConfig.diskReadLatencyS] = disk?.read.latencyS ?? 0;
    c[TimedConfig.diskWriteBytesPerS] = disk?.write.bytesPerS ?? 0;
    c[TimedConfig.diskWriteLatencyS] = disk?.write.latencyS ?? 0;
    // A shared store evicts by its own policy: the engine keeps no disk blocks to evict.
    c[TimedConfig.diskEviction] = disk?.shared ? -1 : disk?.eviction?.policy.id ?? -1;
    c[TimedConfig.diskShared] = disk?.shared ? 1 : 0;
    if (disk?.shared && !config.sharedTier) throw new Error("a shared disk tier needs its store (config.sharedTier)");
    this.shared = disk?.shared ? config.sharedTier! : null;
    // Without it, a policy reading the future would see every next use as 0: simulate.ts always gives it.
    if (config.scheduler === TimedScheduler.vllm && !config.future && [config.eviction, host?.eviction, disk?.eviction].some((e) => e?.policy.future)) {
      throw new Error("the timed engine needs the trace's future for a policy reading it (config.future)");
    }
    const values = config.timeModel.values;
    view(w, Float64Array, w.timedModelBuffer(values.length), values.length).set(values);
    setupWithEviction(w, config.eviction, (policyId) => {
      const result = w.timedSetup(policyId, config.seed);
      if (result === TimedSetupResult.badTimeModel) throw new Error(`the engine refused time model ${config.timeModel.id} with ${values.length} numbers`);
      if (result === TimedSetupResult.unknownScheduler) throw new Error(`the engine has no scheduler ${config.scheduler}`);
      return result;
    }, ...[host?.eviction, disk?.shared ? undefined : disk?.eviction].filter((e): e is BlockEviction => e !== undefined));
    const future = config.future;
    if (future) {
      w.timedSetupFuture(future.starts.length - 1, future.uses.length);
      view(w, Int32Array, w.timedFutureStarts(), future.starts.length).set(future.starts);
      view(w, Int32Array, w.timedFutureUses(), future.uses.length).set(future.uses);
    }
  }

  /** Feeds `requests` (with their input indices `ids`), which arrive no earlier than those fed before. */
  feed(requests: readonly ServingRequest[], ids: ArrayLike<number>): void {
    const n = requests.length;
    let idCount = 0;
    for (const r of requests) idCount += r.content?.ids.length ?? 0;
    this.w.timedInputBuffers(n, idCount);
    const rows = view(this.w, Float64Array, this.w.timedInputRows(), n * TimedInput.COUNT);
    const idBuffer = view(this.w, Int32Array, this.w.timedInputIds(), idCount);
    let at = 0;
    for (let k = 0; k < n; k++) {
      const r = requests[k]!;
      const o = k * TimedInput.COUNT;
      rows[o + TimedInput.id] = ids[k]!;
      rows[o + TimedInput.arrival] = r.arrival;
      rows[o + TimedInput.prompt] = r.prompt;
      rows[o + TimedInput.output] = r.output;
      const content = r.content;
      rows[o + TimedInput.contentTokens] = content?.tokens ?? 0;
      rows[o + TimedInput.contentUnit] = content?.blockTokens ?? 1;
      rows[o + TimedInput.ids] = content?.ids.length ?? 0;
      if (content) {
        idBuffer.set(content.ids, at);
        at += content.ids.length;
      }
    }
    this.w.timedFeed(n);
  }

  endInput(): void {
    this.w.timedEndInput();
  }

  /** Runs until a `TimedStop`; `paused` after `maxIterations` iterations (0: no limit). */
  run(maxIterations = 0): TimedStop {
    return this.w.timedRun(maxIterations) as TimedStop;
  }

  /** The rows written since the last `drained()`. */
  rows(): TimedRows {
    const w = this.w;
    const requestCount = w.timedPending(TimedOutput.requests);
    const iterationCount = w.timedPending(TimedOutput.iterations);
    const gapCount = w.timedPending(TimedOutput.gaps);
    return {
      requests: view(w, Float64Array, w.timedOutput(TimedOutput.requests), requestCount * TimedRequestRow.COUNT),
      requestCount,
      iterations: view(w, Float64Array, w.timedOutput(TimedOutput.iterations), iterationCount * TimedIterationRow.COUNT),
      iterationCount,
      gaps: view(w, Float64Array, w.timedOutput(TimedOutput.gaps), gapCount),
    };
  }

  drained(): void {
    this.w.timedDrained();
  }

  /**
   * From now on the engine bins gaps instead of writing them; `kept` are the gaps written so far,
   * in order (those of the last `rows()` included), which it bins first. Call before `drained()`.
   */
  dropGaps(kept: Float64Array): void {
    const w = this.w;
    w.timedDropGaps();
    const room = w.timedGapRoom();
    for (let at = 0; at < kept.length; at += room) {
      const part = kept.subarray(at, Math.min(at + room, kept.length));
      view(w, Float64Array, w.timedOutput(TimedOutput.gaps), part.length).set(part);
      w.timedBinGaps(part.length);
    }
  }

  gapHistogram(): GapHistogram {
    const w = this.w;
    return {
      counts: view(w, Float64Array, w.timedGapHistogram(), w.timedGapBuckets()).slice(),
      count: w.timedGapStat(TimedGapStat.count), sum: w.timedGapStat(TimedGapStat.sum), max: w.timedGapStat(TimedGapStat.max),
    };
  }

  /** Forgets the run's shared disk tier (the next `start` sets one again if its run has one). */
  releaseSharedTier(): void {
    this.shared = null;
  }

  /** The scheduler's state now, for progress and the property tests. */
  state(): { clock: number; usedBlocks: number; running: number } {
    const w = this.w;
    return { clock: w.timedClock(), usedBlocks: w.timedUsedBlocks(), running: w.timedRunning() };
  }

  /** Every request arriving before `time` has been fed: the run may go on until its clock reaches it. */
  feedUntil(time: number): void {
    this.w.timedFeedUntil(time);
  }

  /**
   * How many of these block hashes (a request's, in order) lead a prefix cached on the GPU now,
   * and how many more continue it in the host tier. vllm with prefix caching; changes nothing.
   */
  cachedPrefix(hashes: Float64Array): { gpu: number; host: number } {
    const w = this.w;
    view(w, Float64Array, w.timedProbeBuffer(hashes.length), hashes.length).set(hashes);
    const both = w.timedCachedPrefix(hashes.length);
    return { gpu: both & 0xfffff, host: both >>> 20 };
  }

  /** Requests completed since the run began, and their prompt tokens: no rows need draining to know them. */
  completed(): { requests: number; promptTokens: number } {
    const w = this.w;
    return { requests: w.timedCounter(TimedCounter.completedRequests), promptTokens: w.timedCounter(TimedCounter.completedPromptTokens) };
  }

  /** KV blocks in use now. */
  usedBlocks(): number {
    return this.w.timedUsedBlocks();
  }

  /** The host and disk tiers' totals so far (zeros without them). */
  hostCounters(): HostTierCounters {
    const w = this.w;
    return {
      offloadedBlocks: w.timedCounter(TimedCounter.offloadedBlocks), loadedBlocks: w.timedCounter(TimedCounter.loadedBlocks),
      swappedOutBlocks: w.timedCounter(TimedCounter.swappedOutBlocks), swappedInBlocks: w.timedCounter(TimedCounter.swappedInBlocks),
      toHostBusyS: w.timedCounter(TimedCounter.toHostBusyS), fromHostBusyS: w.timedCounter(TimedCounter.fromHostBusyS),
      diskOffloadedBlocks: w.timedCounter(TimedCounter.diskOffloadedBlocks), diskLoadedBlocks: w.timedCounter(TimedCounter.diskLoadedBlocks),
      stagedBlocks: w.timedCounter(TimedCounter.stagedBlocks), toDiskBusyS: w.timedCounter(TimedCounter.toDiskBusyS), fromDiskBusyS: w.timedCounter(TimedCounter.fromDiskBusyS),
    };
  }

  /** The first broken invariant of the scheduler and its pool (a full scan: for tests). */
  check(): TimedInvariant {
    return this.w.timedCheck() as TimedInvariant;
  }
}
