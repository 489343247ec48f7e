/**
 * pass@k and pass^k as verifiers' `PassAtKMetric` (verifiers/legacy/utils/metric_utils.py) computes
 * them: for each example with all n rollouts, c = rollouts with reward ≥ threshold,
 * pass@k = 1 − C(n−c, k)/C(n, k) and pass^k = C(c, k)/C(n, k), averaged over those examples, for
 * k = 1, 2, 4, … ≤ n; both empty when n = 1 or no example is complete. Keys are k as strings.
 */
export function passAtK(rewardsByExample: readonly (readonly number[])[], n: number, threshold: number): { pass_at_k: Record<string, number>; pass_all_k: Record<string, number> } {
  const ks: number[] = [];
  for (let k = 1; n > 1 && k <= n; k *= 2) ks.push(k);
  const complete = rewardsByExample.filter((r) => r.length === n);
  if (ks.length === 0 || complete.length === 0) return { pass_at_k: {}, pass_all_k: {} };
  const passAt: Record<string, number> = {};
  const passAll: Record<string, number> = {};
  for (const k of ks) {
    let at = 0;
    let all = 0;
    for (const rewards of complete) {
      const c = rewards.filter((r) => r >= threshold).length;
      at += 1 - chooseRatio(n - c, n, k);
      all += chooseRatio(c, n, k);
    }
    passAt[String(k)] = at / complete.length;
    passAll[String(k)] = all / complete.length;
  }
  return { pass_at_k: passAt, pass_all_k: passAll };
}

/** C(m, k) / C(n, k) for m ≤ n, as a product so that large n cannot overflow. */
function chooseRatio(m: number, n: number, k: number): number {
  if (m < k) return 0;
  let ratio = 1;
  for (let i = 0; i < k; i++) ratio *= (m - i) / (n - i);
  return ratio;
}
