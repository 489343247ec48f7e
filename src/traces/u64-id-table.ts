import { grownInt32 } from "../util/grow.js";

/**
 * Sparse 64-bit object ids (libCacheSim's traces) to dense page numbers in order of first
 * appearance. An id is two 32-bit words, so no BigInt is made per record: open addressing, at
 * most half full, each slot holding the id's words beside its page so that a probe reads one
 * cache line (ids of a large trace miss the cache; three arrays cost three misses a lookup).
 */
const SLOT = 4; // low word, high word, page + 1 (0: empty), unused

export class U64IdTable {
  private slots = new Int32Array(SLOT << 12);
  /** page → its id's low and high words, for `idOf`. */
  private lows = new Int32Array(1 << 11);
  private highs = new Int32Array(1 << 11);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The page of the id whose words are `low` and `high`, added if new. */
  pageOf(low: number, high: number): number {
    const slots = this.slots;
    const mask = slots.length / SLOT - 1;
    for (let slot = mix(low, high) & mask; ; slot = (slot + 1) & mask) {
      const at = slot * SLOT;
      const entry = slots[at + 2]!;
      if (entry === 0) return this.add(at, low, high);
      if (slots[at] === low && slots[at + 1] === high) return entry - 1;
    }
  }

  /** The id of page p, as a decimal string (what reports and event logs show). */
  idOf(page: number): string {
    return ((BigInt(this.highs[page]! >>> 0) << 32n) | BigInt(this.lows[page]! >>> 0)).toString();
  }

  private add(at: number, low: number, high: number): number {
    if (this.count === this.lows.length) {
      this.lows = grownInt32(this.lows, this.count + 1);
      this.highs = grownInt32(this.highs, this.count + 1);
    }
    const page = this.count++;
    this.lows[page] = low;
    this.highs[page] = high;
    if (this.count * 2 * SLOT > this.slots.length) this.rehash();
    else this.place(this.slots, at, page);
    return page;
  }

  private place(slots: Int32Array, at: number, page: number): void {
    slots[at] = this.lows[page]!;
    slots[at + 1] = this.highs[page]!;
    slots[at + 2] = page + 1;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length / SLOT - 1;
    for (let page = 0; page < this.count; page++) {
      let slot = mix(this.lows[page]!, this.highs[page]!) & mask;
      while (slots[slot * SLOT + 2] !== 0) slot = (slot + 1) & mask;
      this.place(slots, slot * SLOT, page);
    }
    this.slots = slots;
  }
}

/** A 32-bit hash of both words (murmur3's finalizer): traces' ids are often sequential, which linear probing alone clusters. */
function mix(low: number, high: number): number {
  let h = Math.imul(low ^ Math.imul(high, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
