import { filledI32 } from "./arrays";
import { backSlot, linkSlot, nodeArray } from "./node-layout";

/**
 * Several intrusive doubly linked lists over one node space: O(1) append, remove and head.
 * A node belongs to at most one list at a time. Node i keeps its links in the layout N's `link`
 * (next) and `back` (prev) slots, so links can live inside a larger per-node record (`records`)
 * and share its cache line.
 */
export class ListPool<N> {
  head: StaticArray<i32>;
  tail: StaticArray<i32>;
  links: StaticArray<i32>;

  /** With `records`, links live in those nodes; otherwise the pool allocates `nodes` of its own. */
  constructor(lists: i32, nodes: i32, records: StaticArray<i32> | null = null) {
    this.head = filledI32(lists, -1);
    this.tail = filledI32(lists, -1);
    this.links = nodeArray<N>(records, nodes);
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
    return unchecked(this.links[linkSlot<N>(node)]);
  }

  append(list: i32, node: i32): void {
    const links = this.links;
    const tail = unchecked(this.tail[list]);
    unchecked(links[linkSlot<N>(node)] = -1);
    unchecked(links[backSlot<N>(node)] = tail);
    if (tail < 0) unchecked(this.head[list] = node);
    else unchecked(links[linkSlot<N>(tail)] = node);
    unchecked(this.tail[list] = node);
  }

  prepend(list: i32, node: i32): void {
    const links = this.links;
    const head = unchecked(this.head[list]);
    unchecked(links[linkSlot<N>(node)] = head);
    unchecked(links[backSlot<N>(node)] = -1);
    if (head < 0) unchecked(this.tail[list] = node);
    else unchecked(links[backSlot<N>(head)] = node);
    unchecked(this.head[list] = node);
  }

  remove(list: i32, node: i32): void {
    const links = this.links;
    const next = unchecked(links[linkSlot<N>(node)]);
    const prev = unchecked(links[backSlot<N>(node)]);
    if (prev < 0) unchecked(this.head[list] = next);
    else unchecked(links[linkSlot<N>(prev)] = next);
    if (next < 0) unchecked(this.tail[list] = prev);
    else unchecked(links[backSlot<N>(next)] = prev);
  }
}
