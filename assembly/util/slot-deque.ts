import { resizedI32 } from "./arrays";

/**
 * A double-ended queue of i32 in a ring that doubles when full: O(1) at both ends and O(1)
 * indexing, for queues whose length has no bound known in advance (requests waiting under
 * overload). The stub runtime never frees, so a doubling leaves the old ring behind: at most as
 * much again as the final ring.
 */
export class SlotDeque {
  ring: StaticArray<i32>;
  head: i32 = 0;
  length: i32 = 0;

  constructor(capacity: i32) {
    this.ring = new StaticArray<i32>(max(capacity, 4));
  }

  clear(): void {
    this.head = 0;
    this.length = 0;
  }

  @inline private slot(i: i32): i32 {
    const k = this.head + i;
    const n = this.ring.length;
    return k >= n ? k - n : k;
  }

  @inline at(i: i32): i32 {
    return unchecked(this.ring[this.slot(i)]);
  }

  @inline set(i: i32, x: i32): void {
    unchecked(this.ring[this.slot(i)] = x);
  }

  @inline first(): i32 {
    return unchecked(this.ring[this.head]);
  }

  @inline last(): i32 {
    return this.at(this.length - 1);
  }

  private grow(): void {
    const n = this.ring.length;
    // Full, the queue runs from head to the end and on from 0: moving the part from 0 to just past
    // the old end makes it one run from head in the doubled ring.
    const ring = resizedI32(this.ring, n * 2);
    for (let i = 0; i < this.head; i++) unchecked(ring[n + i] = ring[i]);
    this.ring = ring;
  }

  @inline pushBack(x: i32): void {
    if (this.length == this.ring.length) this.grow();
    unchecked(this.ring[this.slot(this.length)] = x);
    this.length++;
  }

  pushFront(x: i32): void {
    if (this.length == this.ring.length) this.grow();
    this.head = this.head == 0 ? this.ring.length - 1 : this.head - 1;
    unchecked(this.ring[this.head] = x);
    this.length++;
  }

  @inline popFront(): i32 {
    const x = unchecked(this.ring[this.head]);
    this.head = this.slot(1);
    this.length--;
    return x;
  }

  popBack(): i32 {
    this.length--;
    return unchecked(this.ring[this.slot(this.length)]);
  }
}
