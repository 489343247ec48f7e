/** The timed serving simulator's schedulers, by id (assembly/timed/schedulers.ts). */
export enum TimedScheduler {
  vllm,
  vidurVllm,
  sarathi,
  COUNT,
}

/** Its time models, by id (assembly/timed/time-models.ts). */
export enum TimedTimeModel {
  roofline,
  profile,
  COUNT,
}

/** Why `timedRun` returned. */
export enum TimedStop {
  /** Every request fed has completed and the input has ended. */
  done,
  /** The scheduler needs a request arriving later than its clock: feed more, or end the input. */
  needInput,
  /** An output buffer may not hold another iteration's rows: drain them (`timedDrained`). */
  outputFull,
  /** The iterations asked for have run (`timedRun`'s limit): call again to go on. */
  paused,
  /** The time model has no time for the batch formed (off a profile's grid): the run cannot go on. */
  outsideModel,
}

/** The run's settings, by index of the config buffer (doubles). */
export enum TimedConfig {
  scheduler,
  timeModel,
  kvBlocks,
  blockSize,
  /** vllm's `max_num_seqs`, Vidur's `batch_size_cap`. */
  maxNumSeqs,
  /** vllm's `max_num_batched_tokens`, vidur-vllm's padded prefill budget. */
  maxBatchedTokens,
  /** sarathi's tokens per batch. */
  chunkSize,
  /** Vidur's schedulers: blocks kept free from new admissions. */
  watermarkBlocks,
  /** vllm: 1 to reuse cached blocks across requests. */
  prefixCaching,
  /** vllm: the longest request's blocks (the pool's table rows). */
  maxBlocksPerRequest,
  /** 1 to write every token gap to the gap buffer as well as to the histogram. */
  keepGaps,
  /** vllm: blocks of the host (CPU DRAM) tier below the GPU, 0 for none (docs/model.md). */
  hostBlocks,
  /** How blocks reach the host tier: a `TimedOffload`. */
  offload,
  /** Bytes of one block on one GPU (what one GPU's link carries for it). */
  blockBytes,
  /** The GPU–host link, each direction: bytes per second and the latency of one transfer (s). */
  hostLinkBytesPerS,
  hostLinkLatencyS,
  /** vllm: what the pool caches and shares, a `TimedCacheModel`. */
  cacheModel,
  /** Host tier loads pipelined layer by layer with compute, over this many layers; 0: a request waits for its whole load. */
  hostLoadLayers,
  /** vllm: 1 to preempt by swapping a request's blocks to the host tier (when it has room) instead of by recompute. */
  swapPreemption,
  /** vllm: 1 to load a prefix found in the host tier only when that is estimated faster than computing it. */
  hostLoadIfFaster,
  /**
   * vllm: the page policy evicting the host tier, -1 for the GPU's (one instance for both tiers);
   * its parameters follow the GPU policy's in the params buffer.
   */
  hostEviction,
  /** vllm: blocks of a disk tier (local disk or a remote store) below the host tier, 0 for none. */
  diskBlocks,
  /** How blocks reach the disk tier from the host tier: a `TimedOffload`. */
  diskOffload,
  /** The host–disk link: reads (disk → host) and writes (host → disk), bytes per second and the latency of one transfer (s). */
  diskReadBytesPerS,
  diskReadLatencyS,
  diskWriteBytesPerS,
  diskWriteLatencyS,
  /** The page policy evicting the disk tier, -1 for the host tier's; its parameters follow the host policy's (or the GPU's). */
  diskEviction,
  /**
   * vllm: 1 when the disk tier is a fleet's shared store, held by another instance that the host
   * answers for (assembly/blocks/shared-tier.ts); `diskBlocks` is then its capacity, and this
   * engine keeps no disk blocks of its own.
   */
  diskShared,
  COUNT,
}

/** What vllm's block pool caches and shares (docs/timed.md). */
export enum TimedCacheModel {
  /** vLLM's: full blocks only, at most all but the last prompt token shared, blocks freed last first. */
  vllm,
  /**
   * A replay's (the Mooncake paper's, kvsim's `prefix-replay`): a prompt's last block is cached
   * partly filled, every block found is shared, blocks are freed first to last.
   */
  replay,
}

/** When a GPU block's content is copied to the host tier (and a host block's to the disk tier). */
export enum TimedOffload {
  /** When the GPU (the host tier) evicts it (write-back). */
  onEviction,
  /** As soon as the block is full and cached on the GPU (as it enters the host tier): write-through, as LMCache stores. */
  whenFull,
}

/** The run's totals besides its rows, by `timedCounter`. */
export enum TimedCounter {
  /** Blocks copied GPU → host, and host → GPU (prefix blocks found in the host tier). */
  offloadedBlocks,
  loadedBlocks,
  /** Seconds each direction of the GPU–host link was busy. */
  toHostBusyS,
  fromHostBusyS,
  /** Requests completed since setup, and their prompt tokens (every scheduler): a router's view of its load. */
  completedRequests,
  completedPromptTokens,
  /** Blocks copied to the host tier by swap preemptions, and back to the GPU as swapped requests resume. */
  swappedOutBlocks,
  swappedInBlocks,
  /** Blocks copied host → disk, and disk → host as prefix blocks found on disk were loaded. */
  diskOffloadedBlocks,
  diskLoadedBlocks,
  /** Blocks loaded from disk that stayed cached in the host tier on their way up. */
  stagedBlocks,
  /** Seconds each direction of the host–disk link was busy. */
  toDiskBusyS,
  fromDiskBusyS,
  COUNT,
}

/** The roofline model's numbers, by index of the model buffer (src/timed/roofline.ts derives them). */
export enum RooflineField {
  layers,
  hidden,
  qWidth,
  kvWidth,
  mlpWidth,
  experts,
  expertsPerToken,
  vocab,
  bytes,
  tensorParallel,
  gemmFlops,
  attentionFlops,
  attentionBandwidth,
  bandwidth,
  peerBandwidth,
  kernelOverheadS,
  iterationOverheadS,
  allReduceLatencyS,
  COUNT,
}

/** The profile model's numbers, by index of the model buffer; its tables follow (ProfileTable). */
export enum ProfileField {
  layers,
  decodeOverhead,
  prefillOverhead,
  COUNT,
}

/** The profile model's grid (Vidur's prediction tables). */
export enum ProfileGrid {
  /** Largest token count of the linear tables, and largest KV length and chunk of the attention ones. */
  maxTokens = 4096,
  maxDecodeBatch = 128,
  /** KV lengths are multiples of this. */
  kvStep = 64,
}

/**
 * The profile model's tables, in this order after its fields: one per linear op of
 * maxTokens + 1 values (index = tokens), then decode attention ((maxDecodeBatch + 1) rows of
 * maxTokens / kvStep + 1 KV lengths), then prefill attention (maxTokens / kvStep + 1 KV lengths
 * by maxTokens + 1 chunks); ms per layer, NaN off the grid.
 */
export enum ProfileTable {
  attn_pre_proj,
  attn_post_proj,
  attn_rope,
  input_layernorm,
  post_attention_layernorm,
  mlp_up_proj,
  mlp_down_proj,
  mlp_act,
  add,
  attn_kv_cache_save,
  decode,
  prefill,
  COUNT,
}

/** One request fed, by column of the input rows (doubles); its content ids go to the ids buffer. */
export enum TimedInput {
  /** Its index in the input, which names it in the output. */
  id,
  arrival,
  prompt,
  output,
  /** Leading tokens named by content ids (`ServingRequest.content.tokens`), 0 for none. */
  contentTokens,
  /** Tokens per content id (`content.blockTokens`). */
  contentUnit,
  /** Its ids in the ids buffer, following the previous request's. */
  ids,
  COUNT,
}

/** One completed request, by column of the request rows (doubles; times in simulated seconds). */
export enum TimedRequestRow {
  id,
  arrival,
  prompt,
  output,
  firstScheduled,
  firstToken,
  completion,
  ttft,
  tpot,
  e2e,
  preemptions,
  /** Prompt tokens found cached on the GPU, and (loaded from it) in the host tier. */
  prefixHitTokens,
  hostHitTokens,
  /** vllm: prefix blocks found at the request's first admission, on the GPU then below it, before the last-token cap. */
  matchedPrefixBlocks,
  /** Prompt tokens loaded from the disk tier (through the host). */
  diskHitTokens,
  COUNT,
}

/** One iteration, by column of the iteration rows (doubles). */
export enum TimedIterationRow {
  start,
  duration,
  requests,
  prefillTokens,
  decodeTokens,
  kvBlocksUsed,
  /** vllm's host tier: blocks it caches after the iteration, and bytes its link carried down and up since the last row ended. */
  hostBlocksCached,
  bytesToHost,
  bytesFromHost,
  /** vllm's disk tier: the same for it and the host–disk link. */
  diskBlocksCached,
  bytesToDisk,
  bytesFromDisk,
  COUNT,
}

/** Counts of the rows waiting in the output buffers, by `timedPending`. */
export enum TimedOutput {
  requests,
  iterations,
  gaps,
  COUNT,
}

/** The first invariant `timedCheck` found broken (0: none). */
export enum TimedInvariant {
  ok,
  /** The last iteration scheduled more tokens than its budget. */
  overBudget,
  /** More requests run than `maxNumSeqs`. */
  tooManyRunning,
  /** A request has computed more tokens than it has. */
  computedPastLength,
  /** The block pool's own invariants fail (PoolInvariant). */
  pool,
  /** A request swapped out has blocks outside the host tier. */
  swappedOffHost,
  /** A running request has blocks outside the GPU. */
  runningOffGpu,
  /** A link's bytes differ from the blocks it carried (offloads, loads, swaps) times a block's bytes. */
  linkBytes,
  /** A link's transfers overlap in time. */
  linkOverlap,
}

/** What `timedSetup` returns besides a `StartResult` of the pool's eviction policy. */
export enum TimedSetupResult {
  unknownScheduler = -100,
  /** Unknown time model, or its numbers are not the length its layout says. */
  badTimeModel = -101,
}

/** The token gaps' exact statistics, by `timedGapStat`. */
export enum TimedGapStat {
  count,
  sum,
  max,
}

/**
 * The token-gap histogram's buckets: 2^subBits per octave over `octaves` octaves from
 * 2^lowestExponent s, bucket b holding the doubles whose top bits (exponent and subBits of
 * mantissa) are b past those of 2^lowestExponent; the end buckets also hold what lies beyond.
 */
export enum GapHistogramLayout {
  subBits = 10,
  lowestExponent = -40,
  octaves = 64,
}
