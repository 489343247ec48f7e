import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BlockPool, type BlockPoolConfig } from "../../src/wasm/block-pool.js";
import { BLOCK_POLICIES } from "../../src/wasm/block-eviction.js";
import { renumberingBlockPool } from "../helpers/test-build.js";
import { NaiveBlockPool } from "../reference/naive-block-pool.js";

const BS = 4;
/** Block k of conversation c: equal (c, k) means the same prefix, as chained hashes would say. */
const hashesOf = (conversation: number, from: number, to: number): number[] =>
  Array.from({ length: Math.max(0, to - from) }, (_, i) => conversation * 1000 + from + i);

describe("block pool: vLLM free-queue order", () => {
  it("allocates from the head, frees last-first to the tail, and a hit pulls a block out of the queue", () => {
    const pool = new BlockPool({ gpuBlocks: 8, cpuBlocks: 0, tokensPerBlock: BS, maxRequests: 4, maxBlocksPerRequest: 8 });
    expect(pool.admit(0, 10, hashesOf(1, 0, 2))).toBe(0); // 3 blocks: 0, 1 (full, cached), 2 (partial)
    expect(Array.from(pool.table(0))).toEqual([0, 1, 2]);
    expect(pool.cachedBlocks("gpu")).toBe(2);
    pool.free(0); // block 2 (uncached) goes to the head; 1 then 0 go to the tail
    expect(pool.freeBlocks("gpu")).toBe(8);
    // Same conversation: blocks 0 and 1 hit (taken out of the queue), block 2 is reused from the head.
    expect(pool.admit(1, 12, hashesOf(1, 0, 3))).toBe(2);
    expect(Array.from(pool.table(1))).toEqual([0, 1, 2]);
    // At most tokens − 1 tokens hit: a full-prompt hit recomputes its last block.
    pool.free(1);
    expect(pool.admit(2, 8, hashesOf(1, 0, 2))).toBe(1);
    pool.check();
  });

  it("evicts the least recently freed cached block first, the chain's tail before its prefix", () => {
    const pool = new BlockPool({ gpuBlocks: 4, cpuBlocks: 0, tokensPerBlock: BS, maxRequests: 4, maxBlocksPerRequest: 4 });
    pool.admit(0, 8, hashesOf(1, 0, 2)); // blocks 0, 1
    pool.admit(1, 8, hashesOf(2, 0, 2)); // blocks 2, 3
    pool.free(0); // queue: 1, 0
    pool.free(1); // queue: 1, 0, 3, 2
    pool.admit(2, 4, hashesOf(3, 0, 1)); // pops block 1: conversation 1's second block is evicted
    expect(Array.from(pool.table(2))).toEqual([1]);
    expect(pool.cachedPrefix("gpu", hashesOf(1, 0, 2))).toBe(1);
    expect(pool.stats().evictedBlocks).toBe(1);
    pool.check();
  });

  it("shares a prefix between running requests with reference counts and refuses what does not fit", () => {
    const pool = new BlockPool({ gpuBlocks: 6, cpuBlocks: 6, tokensPerBlock: BS, maxRequests: 4, maxBlocksPerRequest: 6 });
    pool.admit(0, 13, hashesOf(7, 0, 3));
    expect(pool.admit(1, 13, hashesOf(7, 0, 3))).toBe(3);
    expect(pool.freeBlocks("gpu")).toBe(1); // 4 + 1 new tail block
    expect(pool.admit(2, 12, hashesOf(8, 0, 3))).toBe(-1);
    expect(pool.swap(1, "cpu")).toBe(4); // 3 cached + 1 partial block copied
    expect(pool.tierOf(1)).toBe("cpu");
    expect(pool.freeBlocks("gpu")).toBe(2);
    expect(pool.swap(1, "gpu")).toBe(1); // the 3 cached blocks are still on the GPU: only the partial one moves
    expect(pool.stats()).toMatchObject({ swappedOutBlocks: 4, swappedInBlocks: 1 });
    pool.check();
    expect(() => pool.admit(0, 4, [])).toThrow(/already holds blocks/);
    expect(() => pool.grow(9, 4, [])).toThrow(/out of range/);
    // Negative hashes are the pool's own markers; fractions and huge values are not block ids.
    for (const bad of [-1, 2.5, 2 ** 53]) expect(() => pool.admit(3, 16, [bad])).toThrow(/hashes\[0\] = .* is not a non-negative integer/);
    pool.check();
  });
});

describe("block pool: which free cached block each eviction gives up", () => {
  // Block 0 caches conversation 1 (hit once more, next needed soon); block 1 caches conversation 2
  // (never hit, freed later, next needed late). Then a new request needs one cached block back.
  it.each([["lru", 0], ["fifo", 0], ["lfu", 1], ["belady", 1], ["sieve", 1], ["clock", 1], ["s3fifo", 1]] as const)("%s keeps conversation 1: %i", (eviction, kept) => {
    const pool = new BlockPool({ gpuBlocks: 3, cpuBlocks: 0, tokensPerBlock: BS, maxRequests: 4, maxBlocksPerRequest: 4, eviction });
    pool.admit(0, 5, hashesOf(1, 0, 1), [5]);
    pool.free(0);
    expect(pool.admit(1, 5, hashesOf(1, 0, 1), [5])).toBe(1);
    pool.free(1);
    pool.admit(2, 5, hashesOf(2, 0, 1), [100]);
    pool.free(2);
    pool.admit(3, 5, hashesOf(3, 0, 1));
    expect(pool.cachedPrefix("gpu", hashesOf(1, 0, 1))).toBe(kept);
    expect(pool.cachedPrefix("gpu", hashesOf(2, 0, 1))).toBe(1 - kept);
    pool.check();
  });

  it("takes any block policy of the registry with its parameters, and refuses the others by name", () => {
    expect(BLOCK_POLICIES).toEqual(expect.arrayContaining(["lru", "fifo", "lfu", "belady", "random", "sieve", "s3fifo", "clock"]));
    const config = { gpuBlocks: 4, cpuBlocks: 0, tokensPerBlock: BS, maxRequests: 2, maxBlocksPerRequest: 4 };
    expect(() => new BlockPool({ ...config, eviction: "predictive" })).toThrow(/unsupported block eviction policy "predictive" \(lru, /);
    expect(() => new BlockPool({ ...config, eviction: "s3fifo", evictionParams: { small_ratio: 2 } })).toThrow(/small_ratio" must be ≤ 1/);
    expect(() => new BlockPool({ ...config, eviction: "clock", evictionParams: { hand: 1 } })).toThrow(/no parameter "hand"/);
    expect(() => new BlockPool(config).admit(0, 8, [1, 2], [3, -1])).toThrow(/nextUse\[1\] = -1/);
  });

  it("random eviction is a function of the seed", () => {
    const play = (seed: number): number[][] => {
      const pool = new BlockPool({ gpuBlocks: 6, cpuBlocks: 0, tokensPerBlock: BS, maxRequests: 2, maxBlocksPerRequest: 6, eviction: "random", seed });
      const kept: number[][] = [];
      for (let c = 0; c < 40; c++) {
        pool.admit(0, 9, hashesOf(c % 7, 0, 2));
        pool.free(0);
        kept.push([0, 1, 2, 3, 4, 5, 6].map((k) => pool.cachedPrefix("gpu", hashesOf(k, 0, 2))));
        pool.check();
      }
      return kept;
    };
    expect(play(3)).toEqual(play(3));
    expect(play(3)).not.toEqual(play(4));
  });
});

type Op =
  | { kind: "admit"; r: number; conversation: number; tokens: number; use: number }
  | { kind: "grow"; r: number; by: number }
  | { kind: "free"; r: number }
  | { kind: "swap"; r: number; to: number };

/** Admit-and-free churn over many conversations: evictions, re-admissions and ghost hits. */
const churnArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant("admit" as const), r: fc.nat(5), conversation: fc.nat(9), tokens: fc.integer({ min: 4, max: 24 }), use: fc.nat(60) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant("free" as const), r: fc.nat(5) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant("grow" as const), r: fc.nat(5), by: fc.integer({ min: 1, max: 9 }) }), weight: 1 },
);

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("admit" as const), r: fc.nat(5), conversation: fc.nat(3), tokens: fc.integer({ min: 1, max: 30 }), use: fc.nat(60) }),
  fc.record({ kind: fc.constant("grow" as const), r: fc.nat(5), by: fc.integer({ min: 1, max: 9 }) }),
  fc.record({ kind: fc.constant("free" as const), r: fc.nat(5) }),
  fc.record({ kind: fc.constant("swap" as const), r: fc.nat(5), to: fc.nat(1) }),
);

/** Replays random operations on the pool and the naive reference, comparing them after each one. */
function matchesReference(eviction: string, arb: fc.Arbitrary<Op>, length: number, numRuns: number, makePool = (c: BlockPoolConfig) => new BlockPool(c)): void {
  // minLength: fast-check sizes arrays small by default, far below maxLength.
  fc.assert(fc.property(fc.array(arb, { minLength: length / 4, maxLength: length }), fc.integer({ min: 3, max: 14 }), fc.integer({ min: 0, max: 10 }), (ops, gpu, cpu) => {
    const pool = makePool({ gpuBlocks: gpu, cpuBlocks: cpu, tokensPerBlock: BS, maxRequests: 6, maxBlocksPerRequest: 16, eviction });
    const ref = new NaiveBlockPool(gpu, cpu, BS, 16, eviction);
    const conversation = new Map<number, number>();
    for (const op of ops) {
      const held = ref.tables.get(op.r);
      if (op.kind === "admit" && !held) {
        const hashes = hashesOf(op.conversation, 0, Math.floor(op.tokens / BS));
        // Next uses for belady: a few never, the rest spread so that ties are rare.
        const uses = hashes.map((_, k) => ((op.use + 13 * k) % 61 === 60 ? Infinity : (op.use * 7 + 13 * k) % 61));
        const got = pool.admit(op.r, op.tokens, hashes, uses);
        expect(got).toBe(ref.admit(op.r, op.tokens, hashes, uses.map((u) => (u === Infinity ? 0x7fffffff : u))));
        if (got >= 0) conversation.set(op.r, op.conversation);
      } else if (op.kind === "grow" && held && held.tier === 0) {
        const tokens = Math.min(held.tokens + op.by, 16 * BS);
        const newHashes = hashesOf(conversation.get(op.r)!, held.cached, Math.floor(tokens / BS));
        expect(pool.grow(op.r, tokens, newHashes)).toBe(ref.grow(op.r, tokens, newHashes));
      } else if (op.kind === "free" && held) {
        pool.free(op.r);
        ref.free(op.r);
      } else if (op.kind === "swap" && held) {
        expect(pool.swap(op.r, op.to === 0 ? "gpu" : "cpu")).toBe(ref.swap(op.r, op.to));
      }
      pool.check();
      for (const [r, t] of ref.tables) expect(Array.from(pool.table(r)), `table ${r}`).toEqual(t.blocks);
      expect(pool.freeBlocks("gpu")).toBe(ref.freeCount(0));
      expect(pool.freeBlocks("cpu")).toBe(ref.freeCount(1));
      expect(pool.cachedBlocks("gpu")).toBe(ref.cachedCount(0));
      expect(pool.cachedBlocks("cpu")).toBe(ref.cachedCount(1));
      expect(pool.stats().hitBlocks).toBe(ref.hitBlocks);
      expect(pool.stats().evictedBlocks).toBe(ref.evicted);
    }
  }), { numRuns, seed: 4 });
}

describe("block pool vs naive reference", () => {
  // random is left out: its victims are the engine generator's draws (tested above by seed).
  it.each(BLOCK_POLICIES.filter((e) => e !== "random").flatMap((e) => [[e, "mixed", opArb, 80], [e, "churn", churnArb, 400]] as const))(
    "%s, %s operations: same tables, free counts and hits after every operation; invariants hold",
    (eviction, _kind, arb, length) => matchesReference(eviction, arb, length, 200),
  );

  // The eviction heaps renumber their arrivals after 2^31 inserts; a threshold of 5 makes a run
  // renumber at nearly every insert, and it must still evict exactly as the reference does.
  it.each(["lfu", "belady"] as const)("%s with heap arrivals renumbered every 5 inserts", (eviction) => {
    matchesReference(eviction, churnArb, 400, 50, (c) => renumberingBlockPool(c, 5));
  });
});
