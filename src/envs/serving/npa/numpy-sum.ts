/**
 * numpy's pairwise summation of a float64 array (`np.add.reduce`): blocks of 8 partial sums below
 * 128 elements, halves above. Needed for bit-identical means and standard deviations. With a
 * `centre` (NaN, the default, means none), it sums the squared deviations (a[i] − centre)² in the
 * same order, as numpy's `std` does over its temporary array, without writing that array.
 */
export function pairwiseSum(a: readonly number[], from = 0, to = a.length, centre = NaN): number {
  const n = to - from;
  const squared = centre === centre; // a centre was given (not NaN)
  if (n < 8) {
    let res = 0.0;
    for (let i = from; i < to; i++) {
      const x = a[i]!;
      res += squared ? (x - centre) * (x - centre) : x;
    }
    return res;
  }
  if (n <= 128) {
    // Eight running partial sums in locals (an array here costs an allocation per call), started
    // at the first block's terms as numpy does.
    let r0 = 0.0, r1 = 0.0, r2 = 0.0, r3 = 0.0, r4 = 0.0, r5 = 0.0, r6 = 0.0, r7 = 0.0;
    let i = 0;
    for (; i + 8 <= n; i += 8) {
      const k = from + i;
      let x0 = a[k]!, x1 = a[k + 1]!, x2 = a[k + 2]!, x3 = a[k + 3]!;
      let x4 = a[k + 4]!, x5 = a[k + 5]!, x6 = a[k + 6]!, x7 = a[k + 7]!;
      if (squared) {
        x0 = (x0 - centre) * (x0 - centre); x1 = (x1 - centre) * (x1 - centre);
        x2 = (x2 - centre) * (x2 - centre); x3 = (x3 - centre) * (x3 - centre);
        x4 = (x4 - centre) * (x4 - centre); x5 = (x5 - centre) * (x5 - centre);
        x6 = (x6 - centre) * (x6 - centre); x7 = (x7 - centre) * (x7 - centre);
      }
      if (i === 0) {
        r0 = x0; r1 = x1; r2 = x2; r3 = x3; r4 = x4; r5 = x5; r6 = x6; r7 = x7;
      } else {
        r0 += x0; r1 += x1; r2 += x2; r3 += x3; r4 += x4; r5 += x5; r6 += x6; r7 += x7;
      }
    }
    let res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
    for (; i < n; i++) {
      const x = a[from + i]!;
      res += squared ? (x - centre) * (x - centre) : x;
    }
    return res;
  }
  let m = Math.floor(n / 2);
  m -= m % 8;
  return pairwiseSum(a, from, from + m, centre) + pairwiseSum(a, from + m, to, centre);
}

/** numpy's `mean` of the first n values. */
export const npMean = (a: readonly number[], n = a.length): number => pairwiseSum(a, 0, n) / n;

/** Population standard deviation of the first n values, as numpy's `std` with ddof 0. */
export const npStd = (a: readonly number[], mean = npMean(a), n = a.length): number => Math.sqrt(pairwiseSum(a, 0, n, mean) / n);
