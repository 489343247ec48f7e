/**
 * numpy's pairwise summation of a float64 array (`np.add.reduce`): blocks of 8 partial sums below
 * 128 elements, halves above. Needed for bit-identical means and standard deviations.
 */
export function pairwiseSum(a: readonly number[], from = 0, to = a.length): number {
  const n = to - from;
  if (n < 8) {
    let res = 0.0;
    for (let i = from; i < to; i++) res += a[i]!;
    return res;
  }
  if (n <= 128) {
    // Eight running partial sums in locals (an array here costs an allocation per call).
    let r0 = a[from]!, r1 = a[from + 1]!, r2 = a[from + 2]!, r3 = a[from + 3]!;
    let r4 = a[from + 4]!, r5 = a[from + 5]!, r6 = a[from + 6]!, r7 = a[from + 7]!;
    let i = 8;
    for (; i + 8 <= n; i += 8) {
      const k = from + i;
      r0 += a[k]!; r1 += a[k + 1]!; r2 += a[k + 2]!; r3 += a[k + 3]!;
      r4 += a[k + 4]!; r5 += a[k + 5]!; r6 += a[k + 6]!; r7 += a[k + 7]!;
    }
    let res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
    for (; i < n; i++) res += a[from + i]!;
    return res;
  }
  let m = Math.floor(n / 2);
  m -= m % 8;
  return pairwiseSum(a, from, from + m) + pairwiseSum(a, from + m, to);
}

/** numpy's `mean` of the first n values. */
export const npMean = (a: readonly number[], n = a.length): number => pairwiseSum(a, 0, n) / n;

const squares: number[] = [];

/** Population standard deviation of the first n values, as numpy's `std` with ddof 0. */
export function npStd(a: readonly number[], mean = npMean(a), n = a.length): number {
  for (let i = 0; i < n; i++) {
    const d = a[i]! - mean;
    squares[i] = d * d;
  }
  return Math.sqrt(pairwiseSum(squares, 0, n) / n);
}
