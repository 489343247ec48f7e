/**
 * Node layouts for the intrusive structures (ListPool, LazyHeaps, DenseSets). Each structure is
 * generic over its layout so that a node's slot index, `node * stride + link`, folds to constants
 * when it is compiled: read from object fields instead, the stride and offset had to be reloaded
 * after every store of a list splice or heap sift (the store might have overwritten them), on the
 * path of every dependent load.
 *
 * A layout is an unmanaged class of i32 fields: its size is the node's stride, and its `link` field
 * is where the structure's slots start (a list uses `link` and `back`; a heap keeps a live
 * arrival in `link` and a key bound in `back`; a set keeps a position in `link`). A structure
 * over a larger record shares the record's cache line.
 */

/** A node on its own: a list's next and previous, or a heap's live arrival and key bound. */
@unmanaged export class LinkPair {
  link: i32;
  back: i32;
}

/** i32 slots per node. */
@inline export function strideOf<N>(): i32 {
  return <i32>offsetof<N>() >> 2;
}

/** Index in a node array of the node's `link` slot. */
@inline export function linkSlot<N>(node: i32): i32 {
  return node * strideOf<N>() + (<i32>offsetof<N>("link") >> 2);
}

/** Index in a node array of the node's `back` slot. */
@inline export function backSlot<N>(node: i32): i32 {
  return node * strideOf<N>() + (<i32>offsetof<N>("back") >> 2);
}

/** The given record array to keep a structure's slots in, or a new one of `nodes` nodes. */
export function nodeArray<N>(records: StaticArray<i32> | null, nodes: i32): StaticArray<i32> {
  return records ? records : new StaticArray<i32>(nodes * strideOf<N>());
}
