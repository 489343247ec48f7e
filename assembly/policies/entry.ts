import { Policy } from "./policy";

/** One declared parameter of a policy. */
export class ParamDecl {
  name: string = "";
  value: f64 = 0;
  doc: string = "";
  integer: bool = false;
  min: f64 = 0;
  max: f64 = Infinity;
  /** Its value under the libcachesim profile (NaN: the default). */
  libCacheSim: f64 = NaN;
}

/** The parameter struct of a policy without parameters. */
@unmanaged export class NoParams {}

function noPolicy(params: usize): Policy {
  return unreachable();
}

/**
 * A page policy as the registry (registry.ts) lists it, made by its file's entry function: its
 * name, what it does, whose definition it is (the citation `kvsim policies` prints), its
 * parameters with their defaults, the profiles it runs in, how it finds a victim, and how to make
 * one. The host reads all of it from the engine (`policyText`, `policyParamValue`, …), so it is
 * written once, here.
 *
 * Parameters reach a policy as its parameter struct: an `@unmanaged` class of f64 fields in the
 * order they are declared here, laid over the run's parameter buffer (`creates<P>` records the
 * struct's size, and a run whose parameters do not fill it is refused).
 */
export class PolicyEntry {
  params: ParamDecl[] = [];
  khl: bool = true;
  future: bool = false;
  blocks: bool = false;
  remembers: bool = false;
  objectIds: bool = false;
  search: string = "";
  paramWords: i32 = 0;
  make: (params: usize) => Policy = noPolicy;

  constructor(public name: string, public summary: string, public source: string) {}

  /** A real-valued parameter in [min, max]. */
  number(name: string, value: f64, doc: string, min: f64 = 0, max: f64 = Infinity): PolicyEntry {
    this.params.push({ name, value, doc, integer: false, min, max, libCacheSim: NaN });
    return this;
  }

  /**
   * An integer parameter in [min, max] (still an f64 in the parameter struct). The engine reads it
   * as an i32, so the range never goes past i32's.
   */
  integer(name: string, value: f64, doc: string, min: f64 = 0, max: f64 = I32.MAX_VALUE): PolicyEntry {
    this.params.push({ name, value, doc, integer: true, min, max, libCacheSim: NaN });
    return this;
  }

  /**
   * The last declared parameter takes `value` in the libcachesim profile: the setting that makes
   * the policy libCacheSim's definition where kvsim's default differs (docs/policies.md says why).
   */
  inLibCacheSim(value: f64): PolicyEntry {
    this.params[this.params.length - 1].libCacheSim = value;
    return this;
  }

  /** Only in the kvsim profile (it relies on exclusive residency). */
  kvsimOnly(): PolicyEntry {
    this.khl = false;
    return this;
  }

  /** Reads the future: the engine computes every access's next use before making the policy. */
  offline(): PolicyEntry {
    this.future = true;
    return this;
  }

  /**
   * Can evict a block pool's cached blocks too (blocks/cached-content.ts): it needs of a run only
   * its hooks, residency and page records (no tier costs, steps or prefetches).
   */
  evictsBlocks(): PolicyEntry {
    this.blocks = true;
    return this;
  }

  /**
   * The policy keeps something of a page after evicting it (S3-FIFO's ghost). The block pool then
   * keeps an evicted content's page id for a while, so that content coming back is the same page
   * (and tells the policy when it reuses one: `Policy.onForget`); for any other policy a page is
   * simply a block, whose state then shares the block's cache lines.
   */
  remembersEvictedPages(): PolicyEntry {
    this.remembers = true;
    return this;
  }

  /**
   * Reads each page's object id as the trace names it (state.ts `objectIdOf`), to hash ids as the
   * system it follows does: the host then passes them (the page's index when a trace has none).
   */
  readsObjectIds(): PolicyEntry {
    this.objectIds = true;
    return this;
  }

  /** How the kvsim profile finds a victim, and its cost per eviction. */
  victimSearch(text: string): PolicyEntry {
    this.search = text;
    return this;
  }

  /** How to make the policy from its parameter struct P (laid over the run's parameters). */
  creates<P>(make: (params: usize) => Policy): PolicyEntry {
    this.paramWords = <i32>(offsetof<P>() >> 3);
    this.make = make;
    return this;
  }
}
