import { KvsimInputError } from "../../errors.js";
import type { LearnedWeights } from "../learned/weights.js";
import { expectedAttention } from "./expected-attention.js";
import { h2o } from "./h2o.js";
import { learnedPolicy } from "./learned.js";
import { observedAttention } from "./observed-attention.js";
import { keydiff } from "./keydiff.js";
import { knorm } from "./knorm.js";
import type { TokenPolicy } from "./policy.js";
import { randomPolicy } from "./random.js";
import { snapkv } from "./snapkv.js";
import { streamingLlm } from "./streaming-llm.js";
import { tova } from "./tova.js";

/**
 * Every token scoring policy, registered once. The oracle is not here: it reads the future
 * utilities, which no policy may; the evaluation ranks by them directly.
 */
export const TOKEN_POLICIES: readonly TokenPolicy[] = [streamingLlm, h2o, tova, snapkv, knorm, keydiff, randomPolicy, observedAttention, expectedAttention];

/** Every name an evaluation takes: the oracle, the learned policy, then the registered ones. */
export const TOKEN_POLICY_NAMES: readonly string[] = ["oracle", "learned", ...TOKEN_POLICIES.map((x) => x.name)];

/** Checks every name (the oracle included) before any work, so an unknown one fails first. */
export function checkTokenPolicies(names: readonly string[], weights?: LearnedWeights): void {
  for (const name of names) if (name !== "oracle") tokenPolicy(name, weights);
}

/** A policy by name; `learned` needs trained weights (`kvsim tokens train`). */
export function tokenPolicy(name: string, weights?: LearnedWeights): TokenPolicy {
  if (name === "learned") {
    if (!weights) throw new KvsimInputError('token policy "learned" needs trained weights (--weights FILE, from `kvsim tokens train`)');
    return learnedPolicy(weights);
  }
  const p = TOKEN_POLICIES.find((x) => x.name === name);
  if (!p) throw new KvsimInputError(`unknown token policy "${name}" (known: ${TOKEN_POLICY_NAMES.join(", ")})`);
  return p;
}
