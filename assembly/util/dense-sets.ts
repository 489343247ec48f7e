import { linkSlot, nodeArray } from "./node-layout";

/**
 * Per-tier dense member arrays with O(1) insert, swap-remove and uniform sampling. Used where a
 * victim is drawn at random (the `random` policy, sampled scoring). Residency is exclusive in the
 * kvsim profile, so one position per page serves every tier. Page p keeps its position in the
 * layout N's `link` slot, so it can live inside the engine's page record.
 */
export class DenseSets<N> {
  members: StaticArray<i32>;   // set s occupies members[base[s] .. base[s] + count[s])
  positions: StaticArray<i32>;
  count: StaticArray<i32>;
  base: StaticArray<i32>;

  /** `capacities[s]`: the most pages set s holds at once; `records`: page nodes to keep positions in. */
  constructor(capacities: StaticArray<i32>, pages: i32, records: StaticArray<i32> | null = null) {
    const sets = capacities.length;
    const base = new StaticArray<i32>(sets + 1);
    for (let s = 0; s < sets; s++) unchecked(base[s + 1] = base[s] + capacities[s]);
    this.base = base;
    this.members = new StaticArray<i32>(unchecked(base[sets]));
    this.positions = nodeArray<N>(records, pages);
    this.count = new StaticArray<i32>(sets);
  }

  @inline at(s: i32, i: i32): i32 {
    return unchecked(this.members[unchecked(this.base[s]) + i]);
  }

  add(s: i32, page: i32): void {
    const i = unchecked(this.count[s]);
    unchecked(this.members[unchecked(this.base[s]) + i] = page);
    unchecked(this.positions[linkSlot<N>(page)] = i);
    unchecked(this.count[s] = i + 1);
  }

  remove(s: i32, page: i32): void {
    const base = unchecked(this.base[s]);
    const i = unchecked(this.positions[linkSlot<N>(page)]);
    const last = unchecked(this.count[s]) - 1;
    const moved = unchecked(this.members[base + last]);
    unchecked(this.members[base + i] = moved);
    unchecked(this.positions[linkSlot<N>(moved)] = i);
    unchecked(this.count[s] = last);
  }
}
