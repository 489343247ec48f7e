/**
 * The ranking of a score vector: indices by score, highest first, ties broken by larger position
 * first (deterministic, docs/tokens.md). Returns the order and each token's rank.
 */
export function rankByScore(scores: ArrayLike<number>, positions: ArrayLike<number>): { order: Int32Array; rank: Int32Array } {
  const n = scores.length;
  const order = Int32Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => scores[b]! - scores[a]! || positions[b]! - positions[a]!);
  const rank = new Int32Array(n);
  for (let k = 0; k < n; k++) rank[order[k]!] = k;
  return { order, rank };
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
