/**
 * A fixed-capacity hash map from i64 keys (block hashes, never negative) to i32 values (block
 * ids): open addressing with linear probing and backward-shift deletion, so there are no
 * tombstones and a lookup costs O(1) expected however many deletions came before. Capacity is set
 * once and nothing is allocated afterwards. It is at least eight times the most entries the map
 * will hold (96 bytes of table per block; four times past `LARGE_SLOTS`): a block pool's map is
 * full whenever every block holds cached content, and at a load of 1/2 the probe runs that
 * lookups, inserts and backward shifts walk were the serving tick's largest cost. At 1/16 the
 * tables outgrow the cache and serving is slower again.
 */
/**
 * The key of an empty slot, so probes read no separate occupancy array. Never stored or looked
 * up: it is the pool's NO_HASH, which the pool checks for first, and the hosts reject negative
 * hashes (BlockPool) and block ids (ServingEnv's request traces).
 */
export const EMPTY_KEY: i64 = -1;

/**
 * Slots (12 bytes each) past which a map holds four slots per entry instead of eight: Mooncake's
 * host tier of 20,000 blocks then has 2^17 slots, not 2^18, and ran 3 ms (6%) faster (docs/performance.md).
 */
const LARGE_SLOTS = 1 << 17;

export class IntMap {
  keys: StaticArray<i64>;
  values: StaticArray<i32>;
  mask: i32;
  size: i32 = 0;

  constructor(maxEntries: i32) {
    // A table past LARGE_SLOTS misses the cache on most probes whatever its load: fewer slots miss less.
    const room = maxEntries * 8 > LARGE_SLOTS ? 4 : 8;
    let capacity = 16;
    while (capacity < maxEntries * room) capacity <<= 1;
    this.keys = new StaticArray<i64>(capacity);
    this.values = new StaticArray<i32>(capacity);
    this.mask = capacity - 1;
    this.clear();
  }

  clear(): void {
    for (let i = 0; i <= this.mask; i++) unchecked(this.keys[i] = EMPTY_KEY);
    this.size = 0;
  }

  @inline private slotOf(key: i64): i32 {
    // splitmix64's finaliser: spreads structured hashes (small integers, counters) over the table.
    let z = <u64>key;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
    return <i32>(z ^ (z >> 31)) & this.mask;
  }

  /** Where `key` is stored (≥ 0), or ~slot of the free slot ending its probe run (< 0). */
  @inline private find(key: i64): i32 {
    let i = this.slotOf(key);
    while (true) {
      const k = unchecked(this.keys[i]);
      if (k == key) return i;
      if (k == EMPTY_KEY) return ~i;
      i = (i + 1) & this.mask;
    }
  }

  @inline private store(i: i32, key: i64, value: i32): void {
    unchecked(this.keys[i] = key);
    unchecked(this.values[i] = value);
  }

  /** The value stored under `key`, or -1. */
  get(key: i64): i32 {
    const i = this.find(key);
    return i >= 0 ? unchecked(this.values[i]) : -1;
  }

  /** Stores `value` under `key` (replacing any value there). */
  set(key: i64, value: i32): void {
    const i = this.find(key);
    if (i >= 0) {
      unchecked(this.values[i] = value);
      return;
    }
    this.size++;
    this.store(~i, key, value);
  }

  /** Stores `value` under `key` unless the key is present; true when it stored. One probe. */
  insertIfAbsent(key: i64, value: i32): bool {
    const i = this.find(key);
    if (i >= 0) return false;
    this.size++;
    this.store(~i, key, value);
    return true;
  }

  /** Removes `key` if present; later entries of its probe run shift back into the gap. */
  delete(key: i64): void {
    const i = this.find(key);
    if (i < 0) return;
    this.size--;
    let gap = i;
    for (let j = (gap + 1) & this.mask; unchecked(this.keys[j]) != EMPTY_KEY; j = (j + 1) & this.mask) {
      const home = this.slotOf(unchecked(this.keys[j]));
      // Move j into the gap unless its home lies cyclically in (gap, j].
      const between = gap <= j ? home > gap && home <= j : home > gap || home <= j;
      if (between) continue;
      unchecked(this.keys[gap] = this.keys[j]);
      unchecked(this.values[gap] = this.values[j]);
      gap = j;
    }
    unchecked(this.keys[gap] = EMPTY_KEY);
  }
}
