/**
 * LRU stack distances in one pass (Mattson, Gecsei, Slutz and Traiger, "Evaluation techniques for
 * storage hierarchies", IBM Systems Journal 9(2), 1970). An access's stack distance is the weight
 * of the distinct pages accessed since the page's previous access, its own included; an LRU cache
 * of capacity C hits it iff the distance is at most C, so one histogram of distances gives the
 * misses at every C.
 *
 * Each page lives at the time position of its last access. A bitmap marks the live positions, and
 * a Fenwick tree over blocks of 64 positions holds each block's weight, so an access's distance is
 * the weight of the live positions from its page's to the newest: the rest of its block (a
 * popcount with unit weights), then a range sum over the blocks after it. The bitmap and the
 * block tree of a million pages take 384 KB, so they stay in cache where a tree over single
 * positions would not. When the positions run out they are renumbered to the live pages in order,
 * so there are 2 × (pages that can occur) positions and renumbering costs O(1) per access amortised.
 *
 * With unit weights the histogram is indexed by the distance itself; with weights (bytes) it counts
 * the distances falling into each of the host's bins. SHARDS (Waldspurger, Park, Garthwaite and
 * Ahmad, FAST 2015) keeps only the pages whose hash is below a threshold; the other pages of a
 * sampled distance then stand for 1 / rate times their weight (the host scales unit distances, this
 * pass byte ones).
 *
 * Call order: resetArena → setupStackDistances → fill stackAccesses (and stackWeights, stackBounds)
 * → stackDistances → read stackHistogram and stackSampledAccesses (first accesses are in no entry
 * of the histogram: they miss at every size).
 */
import { StackSampling } from "../abi/hierarchy";

let accesses = new StaticArray<i32>(0);
/** Bytes per page; empty when every page weighs 1. */
let weights = new StaticArray<i32>(0);
/** The bins' upper bounds, ascending (weighted only): bin k counts distances in (bounds[k-1], bounds[k]]. */
let bounds = new StaticArray<f64>(0);
let histogram = new StaticArray<i32>(0);
let sampled = new StaticArray<u8>(0);
/** Each page's last time position + 1; 0 before its first access. */
let lastPosition = new StaticArray<i32>(0);
/** Bit p % 64 of word p / 64: position p holds a page (its last access). */
let liveBits = new StaticArray<u64>(0);
/** The page at each live position. */
let pageAt = new StaticArray<i32>(0);
/** The weight at each live position (weighted only). */
let slotWeight = new StaticArray<i32>(0);
let numPages: i32 = 0;
let sampledAccesses: i32 = 0;
/** 1 / the sampling rate: a sampled distance's other pages stand for this many times their weight. */
let scale: f64 = 1;

/** Positions per block of the block tree: one bitmap word. */
const BLOCK_BITS: i32 = 6;

/** Room for a trace of `length` accesses over `pages` pages, their weights (if `weighted`) and `bins` bounds. */
export function setupStackDistances(pages: i32, length: i32, weighted: bool, bins: i32): void {
  numPages = pages;
  accesses = new StaticArray<i32>(length);
  weights = new StaticArray<i32>(weighted ? pages : 0);
  bounds = new StaticArray<f64>(weighted ? bins : 0);
}

export function stackAccesses(): usize { return changetype<usize>(accesses); }
export function stackWeights(): usize { return changetype<usize>(weights); }
export function stackBounds(): usize { return changetype<usize>(bounds); }
export function stackHistogram(): usize { return changetype<usize>(histogram); }
export function stackSampledAccesses(): i32 { return sampledAccesses; }

/**
 * Runs the pass over the pages whose hash is below `threshold` (out of 2^StackSampling.modulusBits;
 * that many keeps every page) and returns the histogram's length: the largest possible distance
 * + 1 with unit weights, the number of bins + 1 (the last: beyond every bound) with weights.
 */
export function stackDistances(threshold: f64): i32 {
  const range = <f64>(<u64>1 << StackSampling.modulusBits);
  const all = threshold >= range;
  scale = all ? 1 : range / threshold;
  const kept = all ? numPages : markSampled(threshold);
  const blocks = max(1, (2 * kept + 63) >> BLOCK_BITS);
  const weighted = weights.length > 0;
  lastPosition = new StaticArray<i32>(numPages);
  liveBits = new StaticArray<u64>(blocks);
  pageAt = new StaticArray<i32>(blocks << BLOCK_BITS);
  slotWeight = new StaticArray<i32>(weighted ? blocks << BLOCK_BITS : 0);
  histogram = new StaticArray<i32>(weighted ? bounds.length + 1 : kept + 1);
  if (weighted) pass<i64>(blocks, all);
  else pass<i32>(blocks, all);
  return histogram.length;
}

/** murmur3's 32-bit finalizer of the page index (offset so that page 0 is not fixed at 0): fixed, seedless. */
@inline function pageHash(page: i32): u32 {
  let h = <u32>page ^ 0x9e3779b9;
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  h ^= h >> 16;
  return h;
}

/** Flags the pages SHARDS keeps; returns how many. */
function markSampled(threshold: f64): i32 {
  sampled = new StaticArray<u8>(numPages);
  let kept = 0;
  for (let p = 0; p < numPages; p++) {
    const keep = <f64>pageHash(p) < threshold;
    unchecked(sampled[p] = <u8>keep);
    kept += <i32>keep;
  }
  return kept;
}

/** A page's weight in the tree's type: 1, or its bytes. */
@inline function weightOf<T>(page: i32): T {
  if (sizeof<T>() == 4) return <T>1;
  return <T>unchecked(weights[page]);
}

/** The weight of the positions whose bits are set in `bits`, a word of block `block`. */
@inline function weightIn<T>(bits: u64, block: i32): T {
  if (sizeof<T>() == 4) return <T>popcnt(bits);
  let sum = <T>0;
  const base = block << BLOCK_BITS;
  while (bits != 0) {
    sum += <T>unchecked(slotWeight[base + <i32>ctz(bits)]);
    bits &= bits - 1;
  }
  return sum;
}

/**
 * Counts one reuse at `distance` of a page of weight `w`: by the distance itself (unit weights;
 * the host scales), or into the bin of the page's own weight plus the others' scaled up (SHARDS).
 */
@inline function count<T>(distance: T, w: T): void {
  if (sizeof<T>() == 4) {
    const d = <i32>distance;
    unchecked(histogram[d] = histogram[d] + 1);
    return;
  }
  const x = <f64>w + <f64>(distance - w) * scale;
  let lo = 0;
  let hi = bounds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x <= unchecked(bounds[mid])) hi = mid;
    else lo = mid + 1;
  }
  unchecked(histogram[lo] = histogram[lo] + 1);
}

@inline function add<T>(tree: StaticArray<T>, size: i32, node: i32, delta: T): void {
  for (let i = node; i <= size; i += i & -i) unchecked(tree[i] = tree[i] + delta);
}

/**
 * The sum over nodes (from, to]: prefix(to) − prefix(from), walking both down only until they
 * meet (the rest cancels), so a short span costs O(log of its length), not O(log size).
 */
@inline function rangeSum<T>(tree: StaticArray<T>, from: i32, to: i32): T {
  let sum = <T>0;
  let i = to;
  let j = from;
  while (i != j) {
    if (i > j) {
      sum += unchecked(tree[i]);
      i &= i - 1;
    } else {
      sum -= unchecked(tree[j]);
      j &= j - 1;
    }
  }
  return sum;
}

/** Moves weight `w` from node `from` to the later `to`: both update paths, up to where they meet. */
@inline function move<T>(tree: StaticArray<T>, size: i32, from: i32, to: i32, w: T): void {
  let i = from;
  let j = to;
  while (i != j && min(i, j) <= size) {
    if (i < j) {
      unchecked(tree[i] = tree[i] - w);
      i += i & -i;
    } else {
      unchecked(tree[j] = tree[j] + w);
      j += j & -j;
    }
  }
}

function pass<T>(blocks: i32, all: bool): void {
  // Node b + 1 of the tree is block b.
  const tree = new StaticArray<T>(blocks + 1);
  const capacity = blocks << BLOCK_BITS;
  const weighted = sizeof<T>() != 4;
  const n = accesses.length;
  let now = 0;
  let seen = 0;
  for (let i = 0; i < n; i++) {
    const page = unchecked(accesses[i]);
    if (!all && unchecked(sampled[page]) == 0) continue;
    seen++;
    if (now == capacity) now = renumber<T>(tree, blocks);
    const w = weightOf<T>(page);
    const last = unchecked(lastPosition[page]) - 1;
    const block = now >> BLOCK_BITS;
    if (last >= 0) {
      // The page's own position and every live one after it, up to the newest.
      const lastBlock = last >> BLOCK_BITS;
      const word = unchecked(liveBits[lastBlock]);
      count<T>(weightIn<T>(word & (<u64>-1 << <u64>(last & 63)), lastBlock) + rangeSum<T>(tree, lastBlock + 1, block + 1), w);
      unchecked(liveBits[lastBlock] = word & ~(<u64>1 << <u64>(last & 63)));
      move<T>(tree, blocks, lastBlock + 1, block + 1, w);
    } else {
      add<T>(tree, blocks, block + 1, w);
    }
    unchecked(liveBits[block] = liveBits[block] | (<u64>1 << <u64>(now & 63)));
    if (weighted) unchecked(slotWeight[now] = <i32>w);
    unchecked(pageAt[now] = page);
    unchecked(lastPosition[page] = now + 1);
    now++;
  }
  sampledAccesses = seen;
}

/**
 * Gives the live pages positions 0 … live − 1 in their order, rebuilds the bitmap and the block
 * tree over them (each node hands its sum to its parent: O(blocks)) and returns the number of live
 * pages. A page moves only down, to a position already scanned.
 */
function renumber<T>(tree: StaticArray<T>, blocks: i32): i32 {
  const weighted = sizeof<T>() != 4;
  let live = 0;
  for (let b = 0; b < blocks; b++) {
    let bits = unchecked(liveBits[b]);
    while (bits != 0) {
      const position = (b << BLOCK_BITS) + <i32>ctz(bits);
      const page = unchecked(pageAt[position]);
      unchecked(pageAt[live] = page);
      if (weighted) unchecked(slotWeight[live] = slotWeight[position]);
      unchecked(lastPosition[page] = live + 1);
      live++;
      bits &= bits - 1;
    }
  }
  for (let b = 0; b < blocks; b++) {
    const from = b << BLOCK_BITS;
    const held = min(64, max(0, live - from));
    unchecked(liveBits[b] = held == 64 ? <u64>-1 : (<u64>1 << <u64>held) - 1);
    unchecked(tree[b + 1] = weightIn<T>(unchecked(liveBits[b]), b));
  }
  for (let node = 1; node <= blocks; node++) {
    const parent = node + (node & -node);
    if (parent <= blocks) unchecked(tree[parent] = tree[parent] + tree[node]);
  }
  return live;
}
