import type { ParamSpec } from "../params.js";

/** A policy parameter; `libCacheSim` is its value in the libcachesim profile, where that differs from the default. */
export type PolicyParamSpec = ParamSpec & { libCacheSim?: number };

/**
 * A page policy as the engine's registry declares it (assembly/policies/entry.ts), read from the
 * engine at build time into catalog.generated.ts (scripts/policy-catalog.mjs).
 */
export interface PolicyCatalogEntry {
  /** The policy's id: its place in assembly/policies/registry.ts. */
  id: number;
  name: string;
  summary: string;
  /** Whose definition it is. */
  source: string;
  /** How the kvsim profile finds a victim, and its cost per eviction. */
  victimSearch: string;
  /** Runs in the khl profile too. */
  khl: boolean;
  /** Reads the future (the trace's next uses). */
  future: boolean;
  /** Can evict a block pool's cached blocks. */
  blocks: boolean;
  /** Reads each page's object id (`Trace.objectIds`), which the host then passes. */
  objectIds: boolean;
  /** In the order of the policy's parameter struct. */
  params: PolicyParamSpec[];
}
