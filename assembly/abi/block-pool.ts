/** The block pool's tiers; block ids of the CPU tier follow the GPU's, and the disk tier's the CPU's. */
export enum PoolTier {
  gpu,
  cpu,
  /** Local disk or a remote store below the CPU tier (the timed simulator's; empty unless set up). */
  disk,
}

/** The pool's counters since setup, by index of `poolStats`. */
export enum PoolStat {
  hitBlocks,
  evictedBlocks,
  swappedOutBlocks,
  swappedInBlocks,
  COUNT,
}

/** Negative results of `poolAdmit` / `poolGrow` / `poolSwap`: nothing changed. */
export enum PoolRefusal {
  noRoom = -1,
  tableFull = -2,
  wrongState = -3,
}

/** The first invariant `poolCheck` found broken (0: none). */
export enum PoolInvariant {
  ok,
  /** A block's reference count differs from the block tables referencing it. */
  refCount,
  /** A free queue holds a block in use or misses a free one. */
  freeQueue,
  /** Free + used blocks differ from a tier's size, or from its free count. */
  counts,
  /** A cached block's content is missing from its tier's eviction policy, or held there when it should not be. */
  eviction,
  /** A content's name, hash and block disagree (the tier's map, the block's name). */
  hashMap,
  /** A request's block table mixes tiers. */
  mixedTiers,
}
