import { KvsimInputError } from "../errors.js";
import { blockHashes } from "./block-hashes.js";
import { NextAccess } from "./next-access.js";
import type { ServingRequest } from "./requests.js";

/** A content never used again: the engine's NEVER (2^31 − 1), later than any use. */
export const NEVER = 0x7fffffff;

/**
 * The next use of every block a run's requests can hash, for a pool policy that reads the future
 * (belady), laid out as the engine reads it (assembly/timed/future.ts): request i's blocks are
 * `uses[starts[i]]…uses[starts[i + 1] − 1]`, i its input index (the id the engine is fed).
 */
export interface RequestFuture {
  starts: Int32Array;
  uses: Int32Array;
}

/**
 * The trace's future (docs/model.md): the trace's block accesses are each request's prompt blocks,
 * first to last, the requests in the order the engine is fed them (`order`: by arrival, ties in
 * input order), and a block's next use is the place in that sequence of the next access to its
 * content by a later request, NEVER if none. So blocks compare as the arrival order of the
 * requests that reuse them, ties going to the deeper block of a prefix. A request's blocks are
 * those vllm hashes over its prompt and output, by `blockHashes` as the engine does: output
 * blocks too, which a conversation's next turn may read; without prefix caching no block is
 * reused. It costs one 32-bit next use per block and, while computed, a table of 2 to 4 slots
 * (12 bytes each) per prompt block.
 */
export function requestFuture(
  requests: readonly ServingRequest[], order: readonly number[], blockSize: number, replay: boolean, prefixCaching: boolean, field: string,
): RequestFuture {
  const n = requests.length;
  // The blocks vllm hashes over the prompt and output (under replay, the prompt's partly filled last block among them).
  const cut = (r: ServingRequest) => (replay ? r.prompt : 0);
  const hashed = (r: ServingRequest) => Math.max(Math.floor((r.prompt + r.output) / blockSize), Math.ceil(cut(r) / blockSize));
  // The blocks its first admission looks up: the prompt's full ones, and under replay its last.
  const accessed = (r: ServingRequest) => (replay ? Math.ceil(r.prompt / blockSize) : Math.floor(r.prompt / blockSize));
  let blocks = 0;
  let accesses = 0;
  for (const r of requests) {
    blocks += hashed(r);
    accesses += accessed(r);
  }
  const most = Math.max(blocks, accesses);
  if (most >= NEVER) throw new KvsimInputError(`${field}: the trace's future numbers its blocks in 32 bits: ${most.toLocaleString("en-US")} blocks are too many (at most ${(NEVER - 1).toLocaleString("en-US")})`);
  const starts = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) starts[i + 1] = starts[i]! + hashed(requests[i]!);
  const uses = new Int32Array(blocks).fill(NEVER);
  if (!prefixCaching) return { starts, uses };
  const firstAccess = new Int32Array(n);
  let at = 0;
  for (const i of order) {
    firstAccess[i] = at;
    at += accessed(requests[i]!);
  }
  // One backward pass: `next` holds each content's first access by the requests after the current one.
  const next = new NextAccess(accesses, NEVER);
  for (let k = order.length - 1; k >= 0; k--) {
    const i = order[k]!;
    const r = requests[i]!;
    const hashes = blockHashes(r, i, r.prompt + r.output, blockSize, cut(r));
    for (let b = 0; b < hashes.length; b++) uses[starts[i]! + b] = next.get(hashes[b]!);
    for (let b = accessed(r) - 1; b >= 0; b--) next.set(hashes[b]!, firstAccess[i]! + b);
  }
  return { starts, uses };
}
