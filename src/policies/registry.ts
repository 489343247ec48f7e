import { KvsimInputError } from "../errors.js";
import { resolveParams } from "../params.js";
import type { PolicyParamSpec } from "./catalog.js";
import { POLICY_CATALOG } from "./catalog.generated.js";

/**
 * How a run behaves: `kvsim` (correct semantics), `khl` (kv-hierarchy-lab's, quirks included),
 * `libcachesim` (kvsim's engine with every policy set to libCacheSim's definition where kvsim's
 * default differs: the parameters' `libCacheSim` values).
 */
export type Profile = "kvsim" | "khl" | "libcachesim";
export const PROFILES: readonly Profile[] = ["kvsim", "khl", "libcachesim"];

export type PolicyParam = PolicyParamSpec;

export interface PolicyInfo {
  name: string;
  /** The policy's id in the engine: its place in assembly/policies/registry.ts. */
  id: number;
  summary: string;
  /** Whose definition it is. */
  source: string;
  /** Parameters, in the order of the policy's parameter struct. */
  params: PolicyParam[];
  profiles: readonly Profile[];
  /** How the kvsim profile finds a victim, and its cost per eviction. */
  victimSearch: string;
  /** Reads the future: the engine computes every access's next use from the trace first. */
  future: boolean;
  /** Can evict a block pool's cached blocks too (src/wasm/block-eviction.ts). */
  evictsBlocks: boolean;
  /** Reads each page's object id (`objectIdsOf(trace)`), which the host then passes to the engine. */
  readsObjectIds: boolean;
}

/**
 * Every page-level eviction policy, as the engine's registry declares them (each policy's file in
 * assembly/policies/, listed once in registry.ts); read from the engine when it is built.
 */
export const POLICIES: readonly PolicyInfo[] = POLICY_CATALOG.map((p) => ({
  name: p.name, id: p.id, summary: p.summary, source: p.source, params: p.params,
  profiles: p.khl ? PROFILES : (["kvsim", "libcachesim"] as const), victimSearch: p.victimSearch, future: p.future,
  evictsBlocks: p.blocks, readsObjectIds: p.objectIds,
}));

export function policyInfo(name: string): PolicyInfo {
  const info = POLICIES.find((p) => p.name === name);
  if (!info) {
    throw new KvsimInputError(`unknown policy "${name}" (known: ${POLICIES.map((p) => p.name).join(", ")})`);
  }
  return info;
}

/** A policy's parameters, user values over the profile's defaults (see `resolveParams`). */
export function resolvePolicyParams(info: PolicyInfo, params: Record<string, unknown> = {}, profile: Profile = "kvsim"): Record<string, number> {
  const specs = profile === "libcachesim" ? info.params.map((p) => (p.libCacheSim === undefined ? p : { ...p, default: p.libCacheSim })) : info.params;
  return resolveParams(`policy "${info.name}"`, specs, params);
}
