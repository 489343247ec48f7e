import type { ServingRequest } from "./requests.js";

/**
 * Chained block hashes of a request's tokens, as vLLM's prefix cache keys its blocks
 * (`hash_block_tokens`: a block's hash covers its parent's hash and its own tokens, so one hash
 * names a whole prefix). kvsim has no token ids, only what `ServingRequest.content` says: token t
 * of the first `content.tokens` holds (ids[⌊t / P⌋], t mod P) for P = content.blockTokens, and
 * every other token is the request's own. A block's hash folds its parent's with the runs of
 * tokens it covers, so equal content gives equal hashes at any block size.
 *
 * Hashes are integers below 2^53 (the block pool's key range) made of two 32-bit murmur3-style
 * lanes; two different prefixes collide with probability about 2^-53 per pair.
 */

const OWN_TOKENS = -1; // marks a run of a request's own tokens, so it never equals an id's run

function fold(h: number, x: number): number {
  h = Math.imul(h ^ x, 0xcc9e2d51);
  h = (h << 15) | (h >>> 17);
  h = Math.imul(h, 0x1b873593);
  return h;
}

function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The hashes of the request's full blocks of `blockSize` tokens over its `tokens` tokens (prompt
 * and output), in order. `owner` makes its own tokens differ from every other request's. The
 * block holding token `cut` ends before it and counts, full or not (the replay cache model's
 * partly filled last prompt block, as the engine's `hashBlocks` cuts it); 0 cuts none.
 */
export function blockHashes(request: ServingRequest, owner: number, tokens: number, blockSize: number, cut = 0): Float64Array {
  const blocks = Math.max(Math.floor(tokens / blockSize), Math.ceil(cut / blockSize));
  const hashes = new Float64Array(blocks);
  const content = request.content;
  const named = content ? Math.min(content.tokens, tokens) : 0;
  let hi = 0x2545f491;
  let lo = 0x9e3779b9;
  for (let b = 0; b < blocks; b++) {
    let t = b * blockSize;
    const end = t < cut && cut < t + blockSize ? cut : t + blockSize;
    while (t < end) {
      let key: number;
      let stop: number;
      if (t < named) {
        const P = content!.blockTokens;
        const unit = Math.floor(t / P);
        key = content!.ids[unit]!;
        stop = Math.min(end, named, (unit + 1) * P);
        hi = fold(fold(hi, key), t - unit * P);
        lo = fold(fold(lo, key ^ 0x5bd1e995), stop - unit * P);
      } else {
        stop = end;
        hi = fold(fold(hi, OWN_TOKENS), owner);
        lo = fold(fold(lo, owner ^ 0x27d4eb2f), t);
      }
      // Both lanes see where the run starts and ends, so runs split differently hash differently.
      hi = fold(hi, stop - t);
      t = stop;
    }
    hi = finish(hi);
    lo = finish(lo);
    hashes[b] = (hi & 0x1fffff) * 0x100000000 + lo;
  }
  return hashes;
}
