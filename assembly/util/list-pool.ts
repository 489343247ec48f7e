import { filledI32 } from "./arrays";

/**
 * Several intrusive FIFO lists over one node space (page ids): O(1) append, remove and head.
 * A node belongs to at most one list at a time.
 */
export class ListPool {
  head: StaticArray<i32>;
  tail: StaticArray<i32>;
  next: StaticArray<i32>;
  prev: StaticArray<i32>;

  constructor(lists: i32, nodes: i32) {
    this.head = filledI32(lists, -1);
    this.tail = filledI32(lists, -1);
    this.next = new StaticArray<i32>(nodes);
    this.prev = new StaticArray<i32>(nodes);
  }

  @inline first(list: i32): i32 {
    return unchecked(this.head[list]);
  }

  @inline isEmpty(list: i32): bool {
    return unchecked(this.head[list]) < 0;
  }

  append(list: i32, node: i32): void {
    const tail = unchecked(this.tail[list]);
    unchecked(this.prev[node] = tail);
    unchecked(this.next[node] = -1);
    if (tail < 0) unchecked(this.head[list] = node);
    else unchecked(this.next[tail] = node);
    unchecked(this.tail[list] = node);
  }

  remove(list: i32, node: i32): void {
    const prev = unchecked(this.prev[node]);
    const next = unchecked(this.next[node]);
    if (prev < 0) unchecked(this.head[list] = next);
    else unchecked(this.next[prev] = next);
    if (next < 0) unchecked(this.tail[list] = prev);
    else unchecked(this.prev[next] = prev);
  }
}
