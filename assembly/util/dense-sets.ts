/**
 * Per-tier dense member arrays with O(1) insert, swap-remove and uniform sampling. Used where a
 * victim is drawn at random (the `random` policy, sampled scoring). Residency is exclusive in the
 * kvsim profile, so one position per page serves every tier. Page p keeps its position at
 * `positions[p * stride + offset]`, so it can live inside the engine's page record.
 */
export class DenseSets {
  members: StaticArray<i32>;
  positions: StaticArray<i32>;
  count: StaticArray<i32>;
  capacity: i32;
  stride: i32;
  offset: i32;

  constructor(sets: i32, pages: i32, positions: StaticArray<i32> | null = null, stride: i32 = 1, offset: i32 = 0) {
    this.capacity = pages;
    this.members = new StaticArray<i32>(sets * pages);
    this.positions = positions ? positions : new StaticArray<i32>(pages);
    this.stride = positions ? stride : 1;
    this.offset = positions ? offset : 0;
    this.count = new StaticArray<i32>(sets);
  }

  @inline at(s: i32, i: i32): i32 {
    return unchecked(this.members[s * this.capacity + i]);
  }

  add(s: i32, page: i32): void {
    const i = unchecked(this.count[s]);
    unchecked(this.members[s * this.capacity + i] = page);
    unchecked(this.positions[page * this.stride + this.offset] = i);
    unchecked(this.count[s] = i + 1);
  }

  remove(s: i32, page: i32): void {
    const base = s * this.capacity;
    const i = unchecked(this.positions[page * this.stride + this.offset]);
    const last = unchecked(this.count[s]) - 1;
    const moved = unchecked(this.members[base + last]);
    unchecked(this.members[base + i] = moved);
    unchecked(this.positions[moved * this.stride + this.offset] = i);
    unchecked(this.count[s] = last);
  }
}
