import * as requests from "./requests";
import { resizedI32 } from "../util/arrays";

/**
 * Chained block hashes of a request's tokens, src/timed/block-hashes.ts's `blockHashes` computed
 * block by block: a hash covers its parent's and the runs of tokens its block holds (content ids,
 * else the request's own tokens), so equal content gives equal hashes. The two 32-bit lanes after
 * a block are its chain state; a slot keeps one state, so a request growing block by block
 * continues its chain instead of hashing its prefix again.
 */

const OWN_TOKENS: i32 = -1;

let stateHi = new StaticArray<i32>(0);
let stateLo = new StaticArray<i32>(0);
/** Blocks the slot's state has hashed (0: the chain's start). */
let stateAt = new StaticArray<i32>(0);

/** Fresh chain states for `n` slots (the arena was reset since any earlier run). */
export function setupHashes(n: i32): void {
  stateHi = new StaticArray<i32>(n);
  stateLo = new StaticArray<i32>(n);
  stateAt = new StaticArray<i32>(n);
}

export function resizeHashes(n: i32): void {
  stateHi = resizedI32(stateHi, n);
  stateLo = resizedI32(stateLo, n);
  stateAt = resizedI32(stateAt, n);
}

/** Forgets the slot's chain: its request has gone, and the slot's next one starts its own. */
export function resetChain(s: i32): void {
  unchecked(stateAt[s] = 0);
}

@inline function fold(h: i32, x: i32): i32 {
  return rotl<i32>((h ^ x) * <i32>0xcc9e2d51, 15) * 0x1b873593;
}

@inline function finish(h: i32): i32 {
  h ^= <i32>(<u32>h >> 16);
  h *= <i32>0x85ebca6b;
  h ^= <i32>(<u32>h >> 13);
  h *= <i32>0xc2b2ae35;
  return h ^ <i32>(<u32>h >> 16);
}

/**
 * Writes the hashes of slot `s`'s blocks [from, to) of `blockSize` tokens to `out` from index 0,
 * and keeps the chain state after block `keep` (from ≤ keep ≤ to) for the next call. The block
 * holding token `cut` ends before it (a partly filled last prompt block); 0 cuts none.
 */
export function hashBlocks(s: i32, from: i32, to: i32, keep: i32, blockSize: i32, cut: i32, out: StaticArray<i64>): void {
  let at = unchecked(stateAt[s]);
  let hi: i32;
  let lo: i32;
  if (at == from && at > 0) {
    hi = unchecked(stateHi[s]);
    lo = unchecked(stateLo[s]);
  } else {
    at = 0;
    hi = 0x2545f491;
    lo = <i32>0x9e3779b9;
  }
  const owner = unchecked(requests.id[s]);
  const named = min(unchecked(requests.contentTokens[s]), unchecked(requests.prompt[s]) + unchecked(requests.output[s]));
  const P = unchecked(requests.contentUnit[s]);
  for (let b = at; b < to; b++) {
    let t = b * blockSize;
    const end = t < cut && cut < t + blockSize ? cut : t + blockSize;
    while (t < end) {
      let stop: i32;
      if (t < named) {
        const unit = t / P;
        const key = requests.contentId(s, unit);
        stop = min(min(end, named), (unit + 1) * P);
        hi = fold(fold(hi, key), t - unit * P);
        lo = fold(fold(lo, key ^ 0x5bd1e995), stop - unit * P);
      } else {
        stop = end;
        hi = fold(fold(hi, OWN_TOKENS), owner);
        lo = fold(fold(lo, owner ^ 0x27d4eb2f), t);
      }
      hi = fold(hi, stop - t);
      t = stop;
    }
    hi = finish(hi);
    lo = finish(lo);
    if (b >= from) unchecked(out[b - from] = (<i64>(hi & 0x1fffff) << 32) | <i64>(<u32>lo));
    if (b + 1 == keep) {
      unchecked(stateHi[s] = hi);
      unchecked(stateLo[s] = lo);
      unchecked(stateAt[s] = keep);
    }
  }
}

/** Without prefix caching every block's hash is its request's own (id × 2^21 + block), as in the reference. */
export function uniqueHashes(s: i32, from: i32, to: i32, out: StaticArray<i64>): void {
  const base = <i64>unchecked(requests.id[s]) * 0x200000;
  for (let b = from; b < to; b++) unchecked(out[b - from] = base + b);
}
