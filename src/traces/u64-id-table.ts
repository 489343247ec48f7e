import { grownInt32 } from "../util/grow.js";

/**
 * Sparse 64-bit object ids (libCacheSim's traces) to dense page numbers in order of first
 * appearance. An id is two 32-bit words, so no BigInt is made per record: open addressing, at
 * most three quarters full, each slot holding the id's words beside its page so that a probe reads
 * one cache line (ids of a large trace miss the cache; three arrays cost three misses a lookup).
 * Three words a slot and that load hold the bench's 780,100 ids in 2^20 slots, 12 MiB, where four
 * words at half full took 32 MiB, more than this machine's last-level cache: sparse ids read at a
 * median 12.0M records/s against 10.3M (docs/performance.md).
 * Ids below `directIds` (small integers: block numbers, or ids a tool already made dense) index
 * a plain array instead, 4 bytes an id, which stays in cache where the table would not.
 */
const SLOT = 3; // low word, high word, page + 1 (0: empty)

export class U64IdTable {
  /** Slots in the table, a power of two. */
  private capacity = 1 << 12;
  private slots = new Int32Array(SLOT * this.capacity);
  private hashed = 0;
  /** id → page + 1 (0: not seen) for ids below `directIds`, grown to the largest seen. */
  private direct = new Int32Array(0);

  /** `directIds`: ids below it (at most 2^26) are looked up by index; 0 hashes every id. */
  constructor(private readonly directIds = 0) {
    if (directIds > 2 ** 26) throw new RangeError(`U64IdTable: directIds ${directIds} is above 2^26`);
  }
  /** page → its id's low and high words, for `objectIds` and rehashing. */
  private lows = new Int32Array(1 << 11);
  private highs = new Int32Array(1 << 11);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The page of the id whose words are `low` and `high`, added if new. */
  pageOf(low: number, high: number): number {
    if (high === 0 && low >= 0 && low < this.directIds) return this.directPageOf(low);
    const slots = this.slots;
    const mask = this.capacity - 1;
    for (let slot = mix(low, high) & mask; ; slot = (slot + 1) & mask) {
      const at = slot * SLOT;
      const entry = slots[at + 2]!;
      if (entry === 0) return this.add(at, low, high);
      if (slots[at] === low && slots[at + 1] === high) return entry - 1;
    }
  }

  /** Each page's id as two words, low then high, in page order (`Trace.objectIds`). */
  objectIds(): Int32Array {
    const words = new Int32Array(2 * this.count);
    for (let page = 0; page < this.count; page++) {
      words[2 * page] = this.lows[page]!;
      words[2 * page + 1] = this.highs[page]!;
    }
    return words;
  }

  private directPageOf(id: number): number {
    if (id >= this.direct.length) this.direct = grownInt32(this.direct, Math.min(this.directIds, Math.max(1024, 2 * this.direct.length, id + 1)), 0);
    const entry = this.direct[id]!;
    if (entry !== 0) return entry - 1;
    const page = this.newPage(id, 0);
    this.direct[id] = page + 1;
    return page;
  }

  private newPage(low: number, high: number): number {
    if (this.count === this.lows.length) {
      this.lows = grownInt32(this.lows, this.count + 1);
      this.highs = grownInt32(this.highs, this.count + 1);
    }
    const page = this.count++;
    this.lows[page] = low;
    this.highs[page] = high;
    return page;
  }

  private add(at: number, low: number, high: number): number {
    const page = this.newPage(low, high);
    if (++this.hashed * 4 > this.capacity * 3) this.rehash();
    else this.place(this.slots, at, page);
    return page;
  }

  private place(slots: Int32Array, at: number, page: number): void {
    slots[at] = this.lows[page]!;
    slots[at + 1] = this.highs[page]!;
    slots[at + 2] = page + 1;
  }

  private rehash(): void {
    this.capacity *= 2;
    const slots = new Int32Array(SLOT * this.capacity);
    const mask = this.capacity - 1;
    for (let page = 0; page < this.count; page++) {
      const low = this.lows[page]!;
      const high = this.highs[page]!;
      if (high === 0 && low >= 0 && low < this.directIds) continue;
      let slot = mix(low, high) & mask;
      while (slots[slot * SLOT + 2] !== 0) slot = (slot + 1) & mask;
      this.place(slots, slot * SLOT, page);
    }
    this.slots = slots;
  }
}

/** Each page's id as a decimal string, from its two words (`objectIds`'s layout). */
export function decimalIds(words: Int32Array): string[] {
  // A loop into a sized array: Array.from over a typed array took twice as long.
  const ids = new Array<string>(words.length / 2);
  for (let page = 0; page < ids.length; page++) ids[page] = decimalId(words[2 * page]!, words[2 * page + 1]!);
  return ids;
}

/** The id whose words are `low` and `high`, as a decimal string. */
function decimalId(low: number, high: number): string {
  const h = high >>> 0;
  const l = low >>> 0;
  // Below 2^53 the id is an exact double: a BigInt per page cost more than the rest of a large file's pages.
  return h < 0x200000 ? String(h * 2 ** 32 + l) : ((BigInt(h) << 32n) | BigInt(l)).toString();
}

/** A 32-bit hash of both words (murmur3's finalizer): traces' ids are often sequential, which linear probing alone clusters. */
function mix(low: number, high: number): number {
  let h = Math.imul(low ^ Math.imul(high, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
