import { pages, RECORD } from "./state";

/**
 * How many accesses ahead the replay fetches a page's record (and the policy's per-page state).
 * Records of a large page space miss the cache, and WebAssembly has no prefetch instruction: an
 * early access lets the miss overlap the work of the accesses in between.
 */
export const LOOKAHEAD: i32 = 16;

/** The run's policy's per-page array to load ahead (`PolicyHints.lookahead`), or null, and log2 of its bytes per page. */
export let policyLookahead: StaticArray<i32> | null = null;
export let policyLookaheadShift: i32 = 2;

export function setPolicyLookahead(array: StaticArray<i32> | null, shift: i32): void {
  policyLookahead = array;
  policyLookaheadShift = shift;
}

/**
 * Fetches the page's record early. A load that misses holds up retirement until its line arrives,
 * where a store that misses waits in the store buffer while later work retires; so when every page
 * has one size, the record is fetched by storing that size into it, otherwise loaded (the value
 * dropped: a load may trap, so no optimizer removes it).
 */
@inline export function fetchRecord(page: i32, commonSize: i32): void {
  if (commonSize > 0) unchecked(pages[page * RECORD] = commonSize);
  else unchecked(pages[page * RECORD]);
}
