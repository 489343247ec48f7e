import { grownInt32 } from "../util/grow.js";
/**
 * Page ids (as UTF-8 bytes) to dense page numbers in order of first appearance, without making a
 * string per access: a Map<string, number> needs each id as a string, and decoding one per row
 * was most of reading a large trace. Ids that are plain decimal numbers below 2^22 (what kvsim
 * writes for traces without ids) index an array; other ids go through a hash table over their
 * bytes. Only a page's first appearance makes its id string.
 */
const DENSE_LIMIT = 1 << 22;
const MAX_DENSE_DIGITS = 7;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class PageIdTable {
  /** The id of each page, as written. */
  readonly ids: string[] = [];
  /** dense[n] = page + 1 for the id that is the number n; 0 where none yet. */
  private dense = new Int32Array(1024);
  /** Open addressing over `hashes`: slot = page + 1, 0 empty. Its size is a power of two, at most half full. */
  private slots = new Int32Array(1024);
  private hashes = new Int32Array(512);
  private hashedCount = 0;
  /** Every hashed page's id bytes back to back; page p's are arena[starts[p] .. starts[p] + lengths[p]). */
  private arena = new Uint8Array(1 << 16);
  private arenaLength = 0;
  private starts = new Int32Array(512);
  private lengths = new Int32Array(512);
  private scratch = new Uint8Array(256);

  get size(): number {
    return this.ids.length;
  }

  /**
   * The page of the id in bytes[start, end), added if new. The bytes must be the id's canonical
   * UTF-8 (what TextEncoder makes of the string), so that equal ids are equal bytes.
   */
  pageOfBytes(bytes: Uint8Array, start: number, end: number): number {
    const n = decimalValue(bytes, start, end);
    if (n >= 0) return this.pageOfNumber(n);
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
    const mask = this.slots.length - 1;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot]!;
      if (entry === 0) break;
      const page = entry - 1;
      if (this.hashes[page] === h && this.sameBytes(page, bytes, start, end)) return page;
    }
    const page = this.newPage(decoder.decode(bytes.subarray(start, end)));
    this.storeBytes(page, h, bytes, start, end);
    return page;
  }

  /** The page of an id given as a string (a quoted CSV field, a JSON value that needed JSON.parse). */
  pageOfString(id: string): number {
    if (this.scratch.length < id.length * 3) this.scratch = new Uint8Array(id.length * 3);
    const { written } = encoder.encodeInto(id, this.scratch);
    return this.pageOfBytes(this.scratch, 0, written);
  }

  private pageOfNumber(n: number): number {
    if (n >= this.dense.length) this.dense = grownInt32(this.dense, n + 1);
    const known = this.dense[n]!;
    if (known !== 0) return known - 1;
    const page = this.newPage(String(n));
    this.dense[n] = page + 1;
    return page;
  }

  private newPage(id: string): number {
    this.ids.push(id);
    return this.ids.length - 1;
  }

  private sameBytes(page: number, bytes: Uint8Array, start: number, end: number): boolean {
    const length = this.lengths[page]!;
    if (length !== end - start) return false;
    const at = this.starts[page]!;
    for (let i = 0; i < length; i++) if (this.arena[at + i] !== bytes[start + i]) return false;
    return true;
  }

  private storeBytes(page: number, h: number, bytes: Uint8Array, start: number, end: number): void {
    if (page >= this.hashes.length) {
      this.hashes = grownInt32(this.hashes, page + 1);
      this.starts = grownInt32(this.starts, page + 1);
      this.lengths = grownInt32(this.lengths, page + 1);
    }
    const length = end - start;
    if (this.arenaLength + length > this.arena.length) {
      const arena = new Uint8Array(Math.max(this.arena.length * 2, this.arenaLength + length));
      arena.set(this.arena.subarray(0, this.arenaLength));
      this.arena = arena;
    }
    this.arena.set(bytes.subarray(start, end), this.arenaLength);
    this.hashes[page] = h;
    this.starts[page] = this.arenaLength;
    this.lengths[page] = length;
    this.arenaLength += length;
    this.hashedCount++;
    // The rehash moves the pages already placed; this one goes in after, into the larger table.
    if (this.hashedCount * 2 > this.slots.length) this.rehash();
    this.place(page, h);
  }

  private place(page: number, h: number): void {
    const mask = this.slots.length - 1;
    let slot = h & mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
    this.slots[slot] = page + 1;
  }

  private rehash(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    for (const entry of old) if (entry !== 0) this.place(entry - 1, this.hashes[entry - 1]!);
  }
}

/** The value of a plain decimal number below DENSE_LIMIT (no sign, no leading zero), else -1. */
function decimalValue(bytes: Uint8Array, start: number, end: number): number {
  const length = end - start;
  if (length === 0 || length > MAX_DENSE_DIGITS || (bytes[start] === 0x30 && length > 1)) return -1;
  let n = 0;
  for (let i = start; i < end; i++) {
    const d = bytes[i]! - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n < DENSE_LIMIT ? n : -1;
}
