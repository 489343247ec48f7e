/** Semantics a page-hierarchy run follows (docs/compat.md). */
export enum Profile {
  kvsim = 0,
  khl = 1,
}

/** The run fields of the metrics snapshot, in order; the tiers' fields follow (TierField). */
export enum RunField {
  accesses,
  hits,
  misses,
  coldMisses,
  evictions,
  drops,
  totalLatency,
  bytesMoved,
  demandBytes,
  prefetchBytes,
  prefetchRequests,
  usefulPrefetches,
  wastedPrefetches,
  events,
  dropBytes,
  COUNT,
}

/** Each tier's fields of the metrics snapshot, after the run fields. */
export enum TierField {
  hits,
  peakBytes,
  bytesIn,
  bytesOut,
  evictions,
  usedBytes,
  COUNT,
}

/** A transfer event's kind, as kv-hierarchy-lab logs it. */
export enum EventKind {
  promote,
  prefetch,
  demote,
  evict,
}

/** Which loop replays a run: the general one, or a queue policy's own (queue-replay.ts). */
export enum ReplayLoop {
  /** The engine calls the policy's hooks. */
  general,
  /** Each tier is a queue in insertion order; a hit changes nothing (FIFO). */
  insertionQueue,
  /** Each tier is a queue in last-access order; a tier-0 hit moves the page to the tail (LRU). */
  recencyQueue,
}

/** Why a replay stopped early (0: it did not). */
export enum EngineError {
  none,
  noVictim,
}

/**
 * SHARDS sampling of the one-pass LRU curve (assembly/mrc/stack-distances.ts): a page is kept iff
 * its 32-bit hash is below the threshold the host passes, a count out of 2^modulusBits.
 */
export enum StackSampling {
  modulusBits = 32,
}
