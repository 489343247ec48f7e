/** The serving env's actions (Discrete), by id. */
export enum ServingAction {
  do_nothing,
  admit_next_vip,
  admit_next_free,
  admit_while_fits,
  swap_out_newest_free,
  swap_out_newest_vip,
  swap_in_oldest,
  recompute_newest,
  reject_next_free,
  COUNT,
}

/** The serving env's observation slots, all in [0, 1] but growth_pressure in [-1, 1]. */
export enum ServingObservation {
  gpu_used,
  cpu_used,
  gpu_cached,
  free_queue,
  vip_queue,
  free_head_wait,
  vip_head_wait,
  free_head_blocks,
  vip_head_blocks,
  running,
  swapped,
  growth_pressure,
  stalled,
  time,
  free_head_cached,
  vip_head_cached,
  COUNT,
}

/** The serving env's counters since reset, by index of the counters buffer. */
export enum ServingCounter {
  arrived,
  dropped,
  admitted,
  completed,
  sloMet,
  rejected,
  slaMisses,
  tokens,
  stalls,
  swappedBlocks,
  prefixHitBlocks,
  arrivedWeight,
  metWeight,
  failedActions,
  recomputes,
  returning,
  COUNT,
}

/** Arrival-rate shapes of drawn traffic (NeuralPagedAttention's tasks). */
export enum TrafficShape {
  flat,
  wave,
  spike,
}

/** The request-trace buffers `servingTraceBuffer` points to. */
export enum ServingTraceColumn {
  arrivalTick,
  inputLength,
  outputLength,
  offsets,
  blocks,
}

/** The first invariant `servingCheck` found broken (0: none). */
export enum ServingInvariant {
  ok,
  /** A queued request or a free slot holds blocks. */
  idleHoldsBlocks,
  /** A running request is not on the GPU. */
  runningOffGpu,
  /** A swapped request is not on the CPU. */
  swappedOffCpu,
  /** A queue or list entry disagrees with its request's state, or appears twice. */
  misplaced,
  /** The block pool's own invariants fail (PoolInvariant). */
  pool,
}
