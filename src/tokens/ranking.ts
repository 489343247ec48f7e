import { RankingKernel } from "../wasm/tokens.js";

let kernel: RankingKernel | undefined;

function ascending(positions: ArrayLike<number>): boolean {
  for (let i = 1; i < positions.length; i++) if (positions[i]! <= positions[i - 1]!) return false;
  return true;
}

/** The WASM radix ranking; with `utility`, also the retained utility at every budget. */
function wasmRank(scores: ArrayLike<number>, utility?: ArrayLike<number>): { order: Int32Array; cum?: Float64Array } {
  kernel ??= new RankingKernel();
  return kernel.rank(scores, utility);
}

function comparatorOrder(scores: ArrayLike<number>, positions: ArrayLike<number>): Int32Array {
  const order = Int32Array.from({ length: scores.length }, (_, i) => i);
  return order.sort((a, b) => scores[b]! - scores[a]! || positions[b]! - positions[a]!);
}

function ranks(order: Int32Array): Int32Array {
  const rank = new Int32Array(order.length);
  for (let k = 0; k < order.length; k++) rank[order[k]!] = k;
  return rank;
}

/**
 * The ranking of a score vector: indices by score, highest first, ties broken by larger position
 * first (deterministic, docs/tokens.md). Returns the order and each token's rank. Ascending
 * positions (every trace kvsim writes) take the WASM radix sort; others a comparator sort.
 */
export function rankByScore(scores: ArrayLike<number>, positions: ArrayLike<number>): { order: Int32Array; rank: Int32Array } {
  const order = ascending(positions) ? wasmRank(scores).order : comparatorOrder(scores, positions);
  return { order, rank: ranks(order) };
}

/**
 * The ranking plus the retained utility at every budget: cum[b] = Σ of the utility of the first b
 * tokens, computed in the same WASM call as the sort.
 */
export function rankAndRetain(scores: ArrayLike<number>, positions: ArrayLike<number>, utility: ArrayLike<number>): { order: Int32Array; rank: Int32Array; cum: Float64Array } {
  if (ascending(positions)) {
    const { order, cum } = wasmRank(scores, utility);
    return { order, rank: ranks(order), cum: cum! };
  }
  const order = comparatorOrder(scores, positions);
  const cum = new Float64Array(order.length + 1);
  for (let k = 0; k < order.length; k++) cum[k + 1] = cum[k]! + utility[order[k]!]!;
  return { order, rank: ranks(order), cum };
}

/**
 * KVP's all-budget cost of a ranking, C(σ) = Σ_k (k − 1)·U(σ_k) with 1-based ranks (the future
 * utility evicted, summed over every budget), and its variant over budgets ≤ T/2 (weights
 * min(k − 1, T/2)).
 */
export function allBudgetCost(order: Int32Array, utility: ArrayLike<number>): { full: number; half: number } {
  const half = Math.floor(order.length / 2);
  let full = 0;
  let halfCost = 0;
  for (let k = 0; k < order.length; k++) {
    const u = utility[order[k]!]!;
    full += k * u;
    halfCost += Math.min(k, half) * u;
  }
  return { full, half: halfCost };
}
