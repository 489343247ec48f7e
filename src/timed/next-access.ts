/**
 * Content hash → a place in the trace's block accesses, for the future's backward pass
 * (future.ts): an open-addressing table over typed arrays, since a `Map` keyed by hashes above
 * 2^31 (heap numbers) took 0.4 s over the million blocks of 1,500 Mooncake requests in 16-token
 * blocks, where this takes 0.15 s. A hash's low 32 bits, already mixed by its murmur-style
 * finish, pick its slot.
 */
export class NextAccess {
  private readonly keys: Float64Array;
  private readonly places: Int32Array;
  private readonly mask: number;

  /** Room for `count` distinct hashes, at most half the slots full. */
  constructor(count: number, private readonly absent: number) {
    let slots = 2;
    while (slots < 2 * count) slots *= 2;
    this.keys = new Float64Array(slots).fill(-1); // hashes are non-negative
    this.places = new Int32Array(slots);
    this.mask = slots - 1;
  }

  private slot(hash: number): number {
    let i = (hash >>> 0) & this.mask;
    while (this.keys[i] !== hash && this.keys[i] !== -1) i = (i + 1) & this.mask;
    return i;
  }

  get(hash: number): number {
    const i = this.slot(hash);
    return this.keys[i] === hash ? this.places[i]! : this.absent;
  }

  set(hash: number, place: number): void {
    const i = this.slot(hash);
    this.keys[i] = hash;
    this.places[i] = place;
  }
}
