/**
 * Heap entries as 16-byte slots, [key f64, tag i64] with tag = arrival << 32 | page, shared by the
 * lazy heaps and their sorted runs. Comparing tags compares arrivals, which are unique.
 */
export const SLOT_BYTES: i32 = 16;

/** An entry's tag: its arrival, then (low 32 bits) its page. */
@inline export function tagFor(arrival: i64, page: i32): i64 {
  return (arrival << 32) | <i64><u32>page;
}

@inline export function arrivalOf(tag: i64): i32 {
  return <i32>(tag >> 32);
}

/** Index of `tag` in the ascending array `sorted`, which holds it (renumbering). */
export function rankOf(sorted: StaticArray<i64>, tag: i64): i32 {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (unchecked(sorted[mid]) < tag) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Strict entry order: smaller key, then earlier tag (arrival). */
@inline export function ordered(keyA: f64, tagA: i64, keyB: f64, tagB: i64): bool {
  return keyA < keyB || (keyA == keyB && tagA < tagB);
}

@inline export function slotAddress(slots: StaticArray<f64>, slot: i32): usize {
  return changetype<usize>(slots) + <usize>slot * SLOT_BYTES;
}

@inline export function slotKey(slots: StaticArray<f64>, slot: i32): f64 {
  return load<f64>(slotAddress(slots, slot));
}

@inline export function slotTag(slots: StaticArray<f64>, slot: i32): i64 {
  return load<i64>(slotAddress(slots, slot), 8);
}

@inline export function putSlot(slots: StaticArray<f64>, slot: i32, key: f64, tag: i64): void {
  const at = slotAddress(slots, slot);
  store<f64>(at, key);
  store<i64>(at, tag, 8);
}
