import { StartResult } from "../../assembly/abi/policies.js";
import { KvsimInputError } from "../errors.js";
import { POLICIES, policyInfo, resolvePolicyParams, type PolicyInfo } from "../policies/registry.js";
import { view, type ServingExports } from "./instance.js";

/**
 * The page policy that evicts a block pool's cached blocks (assembly/blocks/cached-content.ts):
 * any policy of the registry that declares it can (`evictsBlocks`), with its parameters.
 */
export interface BlockEviction {
  policy: PolicyInfo;
  /** Every parameter, user values over defaults, in the order of the policy's parameter struct. */
  params: Record<string, number>;
}

/** The policies that can evict a block pool's blocks. */
export const BLOCK_POLICIES: readonly string[] = POLICIES.filter((p) => p.evictsBlocks).map((p) => p.name);

/**
 * Policy `name` with `params` checked against the registry; `what` names the option in messages
 * (an API field, a CLI flag). `online`: refuse policies that read the future (a simulation whose
 * traffic is drawn as it runs cannot give belady its next uses).
 */
export function blockEviction(name: string, params: Record<string, unknown> = {}, what = "eviction", online = false): BlockEviction {
  const usable = BLOCK_POLICIES.filter((p) => !online || !policyInfo(p).future);
  if (!usable.includes(name)) {
    throw new KvsimInputError(`${what}: unknown or unsupported block eviction policy "${name}" (${online ? "here: " : ""}${usable.join(", ")})`);
  }
  const policy = policyInfo(name);
  return { policy, params: resolvePolicyParams(policy, params) };
}

/**
 * Sets up an engine subsystem whose block pool evicts with `eviction`: its parameters go to the
 * engine's params buffer, then those of `more` (another tier's policies, whose ids the caller
 * gives the engine), then `setup(policyId)` runs and its `StartResult` is checked (a refusal
 * after the checks above means host and engine disagree: a bug, not an input error).
 */
export function setupWithEviction(w: ServingExports, eviction: BlockEviction, setup: (policyId: number) => number, ...more: BlockEviction[]): void {
  const values = [eviction, ...more].flatMap((e) => e.policy.params.map((p) => e.params[p.name]!));
  view(w, Float64Array, w.paramsBuffer(values.length), values.length).set(values);
  const result = setup(eviction.policy.id);
  if (result !== StartResult.started) throw new Error(`the engine refused block eviction policies ${[eviction, ...more].map((e) => e.policy.name).join(", ")} (StartResult ${result})`);
}
