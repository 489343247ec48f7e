import { replay } from "../hierarchy/engine";
import { isIn } from "../hierarchy/residency";
import { trace } from "../hierarchy/state";

/** Blocks served from the cache as part of their request's cached prefix. */
export let prefixHitBlocks: i64 = 0;

export function resetPrefixHits(): void {
  prefixHitBlocks = 0;
}

/**
 * Request-level prefix caching (the Mooncake paper's Figure 9 setting) on the page engine: the
 * trace holds every request's prompt blocks back to back, request r spanning
 * [offsets[r], offsets[r + 1]). A request's hit blocks are the longest prefix of its blocks all
 * cached before it runs (a block after a missing one cannot be reused: its KV depends on the
 * missing block). Then each of its blocks is accessed in order through the engine, so the policy
 * touches cached blocks, inserts missing ones and evicts as usual. Returns the requests done.
 */
export function replayRequests(offsets: StaticArray<i32>, count: i32): i32 {
  for (let r = 0; r < count; r++) {
    const from = unchecked(offsets[r]);
    const to = unchecked(offsets[r + 1]);
    let i = from;
    while (i < to && isIn(0, unchecked(trace[i]))) i++;
    prefixHitBlocks += i - from;
    if (replay(from, to) != to - from) return r;
  }
  return count;
}
