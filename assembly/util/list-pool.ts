import { filledI32 } from "./arrays";

/**
 * Several intrusive doubly linked lists over one node space: O(1) append, remove and head.
 * A node belongs to at most one list at a time. Node i keeps its links at
 * `links[i * stride + offset]` (next) and `+ 1` (prev), so links can live inside a larger
 * per-node record and share its cache line.
 */
export class ListPool {
  head: StaticArray<i32>;
  tail: StaticArray<i32>;
  links: StaticArray<i32>;
  stride: i32;
  offset: i32;

  constructor(lists: i32, nodes: i32, links: StaticArray<i32> | null = null, stride: i32 = 2, offset: i32 = 0) {
    this.head = filledI32(lists, -1);
    this.tail = filledI32(lists, -1);
    this.links = links ? links : new StaticArray<i32>(nodes * 2);
    this.stride = links ? stride : 2;
    this.offset = links ? offset : 0;
  }

  /** Empties every list (links are rewritten as nodes are appended again). */
  clear(): void {
    for (let l = 0; l < this.head.length; l++) {
      unchecked(this.head[l] = -1);
      unchecked(this.tail[l] = -1);
    }
  }

  @inline first(list: i32): i32 {
    return unchecked(this.head[list]);
  }

  @inline last(list: i32): i32 {
    return unchecked(this.tail[list]);
  }

  @inline isEmpty(list: i32): bool {
    return unchecked(this.head[list]) < 0;
  }

  @inline next(node: i32): i32 {
    return unchecked(this.links[node * this.stride + this.offset]);
  }

  append(list: i32, node: i32): void {
    const links = this.links;
    const at = node * this.stride + this.offset;
    const tail = unchecked(this.tail[list]);
    unchecked(links[at] = -1);
    unchecked(links[at + 1] = tail);
    if (tail < 0) unchecked(this.head[list] = node);
    else unchecked(links[tail * this.stride + this.offset] = node);
    unchecked(this.tail[list] = node);
  }

  prepend(list: i32, node: i32): void {
    const links = this.links;
    const at = node * this.stride + this.offset;
    const head = unchecked(this.head[list]);
    unchecked(links[at] = head);
    unchecked(links[at + 1] = -1);
    if (head < 0) unchecked(this.tail[list] = node);
    else unchecked(links[head * this.stride + this.offset + 1] = node);
    unchecked(this.head[list] = node);
  }

  remove(list: i32, node: i32): void {
    const links = this.links;
    const at = node * this.stride + this.offset;
    const next = unchecked(links[at]);
    const prev = unchecked(links[at + 1]);
    if (prev < 0) unchecked(this.head[list] = next);
    else unchecked(links[prev * this.stride + this.offset] = next);
    if (next < 0) unchecked(this.tail[list] = prev);
    else unchecked(links[next * this.stride + this.offset + 1] = prev);
  }
}
