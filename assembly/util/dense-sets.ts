/**
 * Per-tier dense member arrays with O(1) insert, swap-remove and uniform sampling. Used where a
 * victim is drawn at random (the `random` policy, sampled scoring). Residency is exclusive in the
 * kvsim profile, so one position per page serves every tier. Page p keeps its position at
 * `positions[p * stride + offset]`, so it can live inside the engine's page record.
 */
export class DenseSets {
  members: StaticArray<i32>;   // set s occupies members[base[s] .. base[s] + count[s])
  positions: StaticArray<i32>;
  count: StaticArray<i32>;
  base: StaticArray<i32>;
  stride: i32;
  offset: i32;

  /** `capacities[s]`: the most pages set s holds at once. */
  constructor(capacities: StaticArray<i32>, pages: i32, positions: StaticArray<i32> | null = null, stride: i32 = 1, offset: i32 = 0) {
    const sets = capacities.length;
    const base = new StaticArray<i32>(sets + 1);
    for (let s = 0; s < sets; s++) unchecked(base[s + 1] = base[s] + capacities[s]);
    this.base = base;
    this.members = new StaticArray<i32>(unchecked(base[sets]));
    this.positions = positions ? positions : new StaticArray<i32>(pages);
    this.stride = positions ? stride : 1;
    this.offset = positions ? offset : 0;
    this.count = new StaticArray<i32>(sets);
  }

  @inline at(s: i32, i: i32): i32 {
    return unchecked(this.members[unchecked(this.base[s]) + i]);
  }

  add(s: i32, page: i32): void {
    const i = unchecked(this.count[s]);
    unchecked(this.members[unchecked(this.base[s]) + i] = page);
    unchecked(this.positions[page * this.stride + this.offset] = i);
    unchecked(this.count[s] = i + 1);
  }

  remove(s: i32, page: i32): void {
    const base = unchecked(this.base[s]);
    const i = unchecked(this.positions[page * this.stride + this.offset]);
    const last = unchecked(this.count[s]) - 1;
    const moved = unchecked(this.members[base + last]);
    unchecked(this.members[base + i] = moved);
    unchecked(this.positions[moved * this.stride + this.offset] = i);
    unchecked(this.count[s] = last);
  }
}
