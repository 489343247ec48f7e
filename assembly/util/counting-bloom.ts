import { xxh64Word } from "./xxh64";

// libCacheSim's HASH_SEED0 and HASH_SEED1 (libCacheSim/dataStructure/hash/hash.h).
export const BLOOM_SEED_A: u64 = 0x12345678;
export const BLOOM_SEED_B: u64 = 0x12344321;

/** Counters per expected entry for a 0.1% error, as `minimalIncrementCBF_init` computes it. */
const COUNTERS_PER_ENTRY: f64 = -Math.log(0.001) / 0.480453013918201;
/** Counters each key touches: ceil(ln 2 · counters per entry) = 10. */
const HASHES: i32 = <i32>Math.ceil(0.693147180559945 * COUNTERS_PER_ENTRY);

/** The first of a key's two 32-bit hashes: XXH64 of its 64-bit id with HASH_SEED0, low word. */
@inline export function bloomHashA(id: u64): u32 {
  return <u32>xxh64Word(id, BLOOM_SEED_A);
}

/** The second: XXH64 with HASH_SEED1, low word (the step between a key's counters). */
@inline export function bloomHashB(id: u64): u32 {
  return <u32>xxh64Word(id, BLOOM_SEED_B);
}

/**
 * libCacheSim's counting Bloom filter (`minimalIncrementCBF.c`), the frequency sketch of its
 * W-TinyLFU: ⌈14.38 · entries⌉ u32 counters (`minimalIncrementCBF_init` with error 0.001), a key
 * touching the 10 counters (a + i·b) mod n for its two hashes a and b, in u32 arithmetic
 * (`minimalIncrementCBF_check_add`). Despite the file's name, `add` increments all 10 counters,
 * not only the least (its conditional guards a debug print); the estimate is the least of them;
 * `decay` halves every counter (`minimalIncrementCBF_decay`).
 */
export class CountingBloom {
  counters: StaticArray<u32>;
  count: u32;

  constructor(entries: i32) {
    let n = <i32>min(Math.ceil(COUNTERS_PER_ENTRY * <f64>entries), <f64>I32.MAX_VALUE);
    if (n < HASHES) n = 2 * HASHES;
    this.count = <u32>n;
    this.counters = new StaticArray<u32>(n);
  }

  estimate(a: u32, b: u32): u32 {
    const n = this.count;
    let least = U32.MAX_VALUE;
    for (let i: u32 = 0; i < <u32>HASHES; i++) least = min(least, unchecked(this.counters[(a + i * b) % n]));
    return least;
  }

  add(a: u32, b: u32): void {
    const n = this.count;
    for (let i: u32 = 0; i < <u32>HASHES; i++) {
      const x = (a + i * b) % n;
      unchecked(this.counters[x] = this.counters[x] + 1);
    }
  }

  decay(): void {
    for (let i = 0; i < this.counters.length; i++) unchecked(this.counters[i] = this.counters[i] >> 1);
  }
}
