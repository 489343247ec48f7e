import type { Xoshiro128 } from "../rng.js";
import { rankByScore } from "../ranking.js";

/**
 * The Plackett–Luce ranking distribution over scores used as logits (KV Policy §3.1, eq. 3.2):
 * π(σ) = Π_k exp(s_{σ_k}) / Σ_{j ≥ k} exp(s_{σ_j}).
 */

/**
 * One ranking drawn from π by the Gumbel trick (Gumbel-sort, Mena et al. 2018, as KVP samples):
 * the order of s_i + g_i, g_i = −log(−log u_i), with kvsim's tie rule (larger position first).
 * `perturbed` is scratch of the scores' length.
 */
export function samplePlackettLuce(scores: Float64Array, positions: ArrayLike<number>, rng: Xoshiro128, perturbed: Float64Array): Int32Array {
  for (let i = 0; i < scores.length; i++) {
    // u in (0, 1) strictly: 24 random bits plus a half step.
    const u = ((rng.next() >>> 8) + 0.5) * 5.960464477539063e-8;
    perturbed[i] = scores[i]! - Math.log(-Math.log(u));
  }
  return rankByScore(perturbed, positions).order;
}

/** log(exp(a) + exp(b)) without overflow. */
function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/** log Σ_{j ≥ k} exp(s_{σ_j}) for every k (a reverse log-cum-sum-exp), into `out`. */
function suffixLogSumExp(scores: Float64Array, order: Int32Array, out: Float64Array): void {
  let acc = -Infinity;
  for (let k = order.length - 1; k >= 0; k--) {
    const s = scores[order[k]!]!;
    acc = logAddExp(acc, s);
    out[k] = acc;
  }
}

/** log π(σ) = Σ_k [s_{σ_k} − logsumexp_{j ≥ k} s_{σ_j}]. */
export function plackettLuceLogProb(scores: Float64Array, order: Int32Array): number {
  const lse = new Float64Array(order.length);
  suffixLogSumExp(scores, order, lse);
  let sum = 0;
  for (let k = 0; k < order.length; k++) sum += scores[order[k]!]! - lse[k]!;
  return sum;
}

/**
 * Adds weight · ∂log π(σ)/∂s to `grad`. The token at rank r appears in the numerator once and in
 * the denominators of ranks 0..r, so ∂/∂s_{σ_r} = 1 − Σ_{k ≤ r} exp(s_{σ_r} − LSE_k); the sum is
 * carried in log space (LSE_k falls with k, so each term is at most 1). O(T).
 */
export function addPlackettLuceGrad(scores: Float64Array, order: Int32Array, weight: number, grad: Float64Array, lse: Float64Array): void {
  suffixLogSumExp(scores, order, lse);
  let logInv = -Infinity;
  for (let r = 0; r < order.length; r++) {
    logInv = logAddExp(logInv, -lse[r]!);
    const i = order[r]!;
    grad[i]! += weight * (1 - Math.exp(scores[i]! + logInv));
  }
}

/**
 * REINFORCE leave-one-out advantages (Ahmadian et al. 2024, as KVP Algorithm 1): each sample's
 * reward minus the mean reward of the other K − 1 samples.
 */
export function rlooAdvantages(rewards: readonly number[]): number[] {
  const k = rewards.length;
  if (k < 2) throw new Error("RLOO needs at least two samples");
  const total = rewards.reduce((a, b) => a + b, 0);
  return rewards.map((r) => r - (total - r) / (k - 1));
}
