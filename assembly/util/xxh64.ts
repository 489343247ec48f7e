// xxHash64's primes (Yann Collet's xxHash, the `xxhash.h` libCacheSim vendors in
// libCacheSim/dataStructure/hash/).
const PRIME1: u64 = 0x9E3779B185EBCA87;
const PRIME2: u64 = 0xC2B2AE3D27D4EB4F;
const PRIME3: u64 = 0x165667B19E3779F9;
const PRIME4: u64 = 0x85EBCA77C2B2AE63;
const PRIME5: u64 = 0x27D4EB2F165667C5;

/**
 * XXH64 of one little-endian 64-bit word: `XXH64(&id, 8, seed)` as xxhash.h computes it for an
 * 8-byte input (`XXH64_endian_align`'s short path, one `XXH_PROCESS8_64` of `XXH64_finalize`,
 * then `XXH64_avalanche`). libCacheSim hashes object ids this way (minimalIncrementCBF.c).
 */
export function xxh64Word(word: u64, seed: u64): u64 {
  let h = seed + PRIME5 + 8;
  const k = rotl<u64>(word * PRIME2, 31) * PRIME1;
  h ^= k;
  h = rotl<u64>(h, 27) * PRIME1 + PRIME4;
  h ^= h >> 33;
  h *= PRIME2;
  h ^= h >> 29;
  h *= PRIME3;
  h ^= h >> 32;
  return h;
}
