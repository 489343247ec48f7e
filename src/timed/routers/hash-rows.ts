/**
 * Block hashes (integers below 2^53) numbered in order of first sight: an open-addressing table
 * over typed arrays. A router sees millions of hashes; a Map keyed by such numbers boxes each one
 * and took most of a fleet run's time.
 */
export class HashRows {
  private keys = new Float64Array(1 << 12).fill(-1);
  private rows = new Int32Array(1 << 12);
  /** The hash of each number, in order. */
  private hashOfRow = new Float64Array(1 << 11);
  /** Hashes numbered so far. */
  size = 0;

  /** The hash numbered `row`. */
  hash(row: number): number {
    return this.hashOfRow[row]!;
  }

  /** The hash's number, or -1 if never added. */
  get(hash: number): number {
    const mask = this.keys.length - 1;
    for (let at = slot(hash, mask); ; at = (at + 1) & mask) {
      const k = this.keys[at]!;
      if (k === hash) return this.rows[at]!;
      if (k === -1) return -1;
    }
  }

  /** The hash's number, numbering it next if new. */
  add(hash: number): number {
    if (2 * (this.size + 1) > this.keys.length) this.grow();
    const mask = this.keys.length - 1;
    for (let at = slot(hash, mask); ; at = (at + 1) & mask) {
      const k = this.keys[at]!;
      if (k === hash) return this.rows[at]!;
      if (k === -1) {
        this.keys[at] = hash;
        this.rows[at] = this.size;
        if (this.size === this.hashOfRow.length) {
          const grown = new Float64Array(this.size * 2);
          grown.set(this.hashOfRow);
          this.hashOfRow = grown;
        }
        this.hashOfRow[this.size] = hash;
        return this.size++;
      }
    }
  }

  private grow(): void {
    const { keys, rows } = this;
    this.keys = new Float64Array(keys.length * 2).fill(-1);
    this.rows = new Int32Array(keys.length * 2);
    const mask = this.keys.length - 1;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] === -1) continue;
      let at = slot(keys[i]!, mask);
      while (this.keys[at] !== -1) at = (at + 1) & mask;
      this.keys[at] = keys[i]!;
      this.rows[at] = rows[i]!;
    }
  }
}

/** A hash's first slot: both 32-bit halves mixed, then murmur3's finalizer, so every bit reaches the mask. */
function slot(hash: number, mask: number): number {
  let h = (hash >>> 0) ^ Math.imul(Math.floor(hash / 4294967296), 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) & mask;
}
