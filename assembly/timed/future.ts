/**
 * The trace's future, for a pool policy that reads it (belady): the host computes, before the
 * run, the next use of every block each request can hash (src/timed/future.ts), and vllm copies a
 * request's share to the pool's next-use input wherever it writes the request's hashes. Empty,
 * as it is unless the host gives it, the run reads nothing of it.
 */

/** Request id → its first block's index in `uses` (one more entry than requests). */
let starts = new StaticArray<i32>(0);
let uses = new StaticArray<i32>(0);

/** Forgets the last run's future (the arena was reset: its arrays point at reused memory). */
export function clearFuture(): void {
  starts = new StaticArray<i32>(0);
  uses = new StaticArray<i32>(0);
}

/** Room for the future of `requests` requests of `blocks` blocks in all; the host fills `startsBuffer` and `usesBuffer`. */
export function setupFuture(requests: i32, blocks: i32): void {
  starts = new StaticArray<i32>(requests + 1);
  uses = new StaticArray<i32>(blocks);
}

export function startsBuffer(): usize {
  return changetype<usize>(starts);
}

export function usesBuffer(): usize {
  return changetype<usize>(uses);
}

@inline export function futureKnown(): bool {
  return starts.length > 0;
}

/** Writes the next uses of request `id`'s blocks [from, to) to `out` from index 0. */
export function writeUses(id: i32, from: i32, to: i32, out: StaticArray<i32>): void {
  const base = unchecked(starts[id]);
  for (let b = from; b < to; b++) unchecked(out[b - from] = uses[base + b]);
}
