/**
 * Ranking for token eviction: an LSD radix sort (8 passes of 8 bits) of f64 scores, highest
 * first, ties to the larger index (the sort is stable and starts from descending indices), then
 * the retained future utility at every budget in one prefix-sum pass along the ranking.
 */
let scores = new StaticArray<f64>(0);
let utility = new StaticArray<f64>(0);
let order = new StaticArray<i32>(0);
let spare = new StaticArray<i32>(0);
let keys = new StaticArray<u64>(0);
let spareKeys = new StaticArray<u64>(0);
let retained = new StaticArray<f64>(0);
let counts = new StaticArray<i32>(256);

export function setupRanking(count: i32): void {
  scores = new StaticArray<f64>(count);
  utility = new StaticArray<f64>(count);
  order = new StaticArray<i32>(count);
  spare = new StaticArray<i32>(count);
  keys = new StaticArray<u64>(count);
  spareKeys = new StaticArray<u64>(count);
  retained = new StaticArray<f64>(count + 1);
  counts = new StaticArray<i32>(256);
}

export function rankingScores(): usize { return changetype<usize>(scores); }
export function rankingUtility(): usize { return changetype<usize>(utility); }
export function rankingOrder(): usize { return changetype<usize>(order); }
export function rankingRetained(): usize { return changetype<usize>(retained); }

/** Sorts indices by score (descending, ties to the larger index); with `withUtility`, fills retained[b] = Σ of the first b. */
export function rank(count: i32, withUtility: bool): void {
  for (let i = 0; i < count; i++) {
    const idx = count - 1 - i;
    // + 0.0 turns −0 into +0: they are equal scores and must tie like any other.
    const bits = reinterpret<u64>(unchecked(scores[idx]) + 0.0);
    // Order-preserving map of f64 to u64, inverted so that ascending keys mean descending scores.
    const ascending = (bits >> 63) != 0 ? ~bits : bits | 0x8000000000000000;
    unchecked(order[i] = idx);
    unchecked(keys[i] = ~ascending);
  }
  let src = order, dst = spare, srcKeys = keys, dstKeys = spareKeys;
  for (let shift: u64 = 0; shift < 64; shift += 8) {
    for (let b = 0; b < 256; b++) unchecked(counts[b] = 0);
    for (let i = 0; i < count; i++) {
      const digit = <i32>((unchecked(srcKeys[i]) >> shift) & 0xff);
      unchecked(counts[digit] = counts[digit] + 1);
    }
    let sum = 0;
    for (let b = 0; b < 256; b++) {
      const c = unchecked(counts[b]);
      unchecked(counts[b] = sum);
      sum += c;
    }
    for (let i = 0; i < count; i++) {
      const k = unchecked(srcKeys[i]);
      const digit = <i32>((k >> shift) & 0xff);
      const at = unchecked(counts[digit]);
      unchecked(counts[digit] = at + 1);
      unchecked(dst[at] = src[i]);
      unchecked(dstKeys[at] = k);
    }
    const t = src; src = dst; dst = t;
    const tk = srcKeys; srcKeys = dstKeys; dstKeys = tk;
  }
  // Eight passes: the result is back in `order`.
  if (!withUtility) return;
  unchecked(retained[0] = 0);
  for (let k = 0; k < count; k++) unchecked(retained[k + 1] = retained[k] + utility[order[k]]);
}
