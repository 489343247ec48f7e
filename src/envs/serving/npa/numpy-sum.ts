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
    const r = [0, 1, 2, 3, 4, 5, 6, 7].map((j) => a[from + j]!);
    let i = 8;
    for (; i + 8 <= n; i += 8) for (let j = 0; j < 8; j++) r[j]! += a[from + i + j]!;
    let res = ((r[0]! + r[1]!) + (r[2]! + r[3]!)) + ((r[4]! + r[5]!) + (r[6]! + r[7]!));
    for (; i < n; i++) res += a[from + i]!;
    return res;
  }
  let m = Math.floor(n / 2);
  m -= m % 8;
  return pairwiseSum(a, from, from + m) + pairwiseSum(a, from + m, to);
}

export const npMean = (a: readonly number[]): number => pairwiseSum(a) / a.length;

/** Population standard deviation, as numpy's `std` with ddof 0. */
export function npStd(a: readonly number[]): number {
  const mean = npMean(a);
  return Math.sqrt(pairwiseSum(a.map((x) => {
    const d = x - mean;
    return d * d;
  })) / a.length);
}
