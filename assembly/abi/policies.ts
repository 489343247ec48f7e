/** The texts of a registered page policy, by `policyText`. */
export enum PolicyText {
  name,
  summary,
  source,
  victimSearch,
}

/** Bits of `policyFlags`. */
export enum PolicyFlag {
  /** Runs in the khl profile too (kv-hierarchy-lab's semantics, a page resident twice). */
  khl = 1,
  /** Reads the future: every access's next use is computed from the trace before the run. */
  future = 2,
  /** Can evict a block pool's cached blocks (it needs nothing of a run but its hooks). */
  blocks = 4,
  /** Reads each page's object id (the host fills `objectIdBuffer`). */
  objectIds = 8,
}

/** A parameter's texts, by `policyParamText`. */
export enum ParamText {
  name,
  doc,
}

/** A parameter's numbers, by `policyParamValue`. */
export enum ParamValue {
  /** The default. */
  value,
  /** 1 when only integers are valid. */
  integer,
  /** The least valid value. */
  min,
  /** The greatest valid value (Infinity: none). */
  max,
  /** The value the libcachesim profile gives it (NaN: the default, the definitions agree). */
  libCacheSim,
}

/** What `start` returns when the run did not start; a tier index (≥ 0) when a page is larger than that tier. */
export enum StartResult {
  started = -1,
  unknownPolicy = -2,
  wrongParameterCount = -3,
  /** The policy cannot evict a block pool's blocks (`PolicyFlag.blocks` unset). */
  notForBlocks = -4,
}
