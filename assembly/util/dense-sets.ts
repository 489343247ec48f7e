/**
 * Per-tier dense member arrays with O(1) insert, swap-remove and uniform sampling. Used where a
 * victim is drawn at random (the `random` policy, sampled scoring). Residency is exclusive in the
 * kvsim profile, so one position table serves every tier.
 */
export class DenseSets {
  members: StaticArray<i32>;
  pos: StaticArray<i32>;
  count: StaticArray<i32>;
  stride: i32;

  constructor(sets: i32, pages: i32) {
    this.stride = pages;
    this.members = new StaticArray<i32>(sets * pages);
    this.pos = new StaticArray<i32>(pages);
    this.count = new StaticArray<i32>(sets);
  }

  @inline at(s: i32, i: i32): i32 {
    return unchecked(this.members[s * this.stride + i]);
  }

  add(s: i32, page: i32): void {
    const i = unchecked(this.count[s]);
    unchecked(this.members[s * this.stride + i] = page);
    unchecked(this.pos[page] = i);
    unchecked(this.count[s] = i + 1);
  }

  remove(s: i32, page: i32): void {
    const base = s * this.stride;
    const i = unchecked(this.pos[page]);
    const last = unchecked(this.count[s]) - 1;
    const moved = unchecked(this.members[base + last]);
    unchecked(this.members[base + i] = moved);
    unchecked(this.pos[moved] = i);
    unchecked(this.count[s] = last);
  }
}
