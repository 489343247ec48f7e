import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { prefixReplay } from "../../src/serving/prefix-replay.js";
import { readMooncakeTrace, type RequestTrace } from "../../src/traces/formats/mooncake.js";
import { runCli } from "../helpers/cli.js";
import { fixture } from "../helpers/khl.js";

const MOONCAKE = fixture("mooncake/synthetic_trace.jsonl");

/** The exact LRU semantics, written the obvious way over a Map in recency order. */
function naiveLru(trace: RequestTrace, capacity: number): number {
  const cache = new Map<number, true>();
  let hits = 0;
  for (let r = 0; r + 1 < trace.offsets.length; r++) {
    const blocks = Array.from(trace.blocks.subarray(trace.offsets[r], trace.offsets[r + 1]));
    let k = 0;
    while (k < blocks.length && cache.has(blocks[k]!)) k++;
    hits += k;
    for (const b of blocks) {
      cache.delete(b);
      cache.set(b, true);
      if (cache.size > capacity) cache.delete(cache.keys().next().value!);
    }
  }
  return hits;
}

describe("prefix replay (Mooncake FAST'25 Figure 9 setting)", () => {
  it("reads the Mooncake trace", async () => {
    const t = await readMooncakeTrace(MOONCAKE);
    expect(t.offsets.length - 1).toBe(3993);
    expect(t.timestamps[3992]).toBe(1_022_025);
    expect(t.numBlocks).toBe(43_924);
  });

  it.each([["unbounded", 0.6396], [6000, 0.3107]] as const)("lru with capacity %s gives hit rate %s", async (capacity, rate) => {
    const trace = await readMooncakeTrace(MOONCAKE);
    const r = prefixReplay({ trace, capacityBlocks: capacity, policy: "lru" });
    expect(r.hitRate.toFixed(4)).toBe(rate.toFixed(4));
    expect(r.hitBlocks).toBe(naiveLru(trace, capacity === "unbounded" ? Infinity : capacity));
  });

  it("orders policies sensibly: belady ≥ every other policy at the same capacity", async () => {
    const trace = await readMooncakeTrace(MOONCAKE);
    const rates = Object.fromEntries(["lru", "lfu", "fifo", "s3fifo", "sieve", "belady"].map((policy) =>
      [policy, prefixReplay({ trace, capacityBlocks: 3000, policy }).hitRate]));
    for (const [policy, rate] of Object.entries(rates)) expect(rates.belady!, policy).toBeGreaterThanOrEqual(rate! - 1e-12);
  });

  it("prints the JSON record on the CLI and rejects bad input with exit code 2", async () => {
    const ok = await runCli(["prefix-replay", "--trace", MOONCAKE, "--capacity-blocks", "6000", "--policy", "lru", "--json"]);
    expect(ok.code).toBe(0);
    const record = JSON.parse(ok.stdout);
    expect(Object.keys(record)).toEqual(["requests", "blocks", "hitBlocks", "hitRate"]);
    expect(record.hitRate.toFixed(4)).toBe("0.3107");
    expect((await runCli(["prefix-replay", "--trace", MOONCAKE, "--capacity-blocks", "0"])).code).toBe(2);
    const dir = mkdtempSync(join(tmpdir(), "kvsim-mooncake-"));
    const bad = join(dir, "bad.jsonl");
    writeFileSync(bad, '{"timestamp": 0, "input_length": 10, "output_length": 1, "hash_ids": [0]}\n{"timestamp": 1, "input_length": 10, "output_length": 1, "hash_ids": [-3]}\n');
    const r = await runCli(["prefix-replay", "--trace", bad, "--capacity-blocks", "10"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.jsonl:2: hash_ids\[0\] must be a non-negative integer, got -3/);
    expect((await runCli(["prefix-replay", "--trace", join(dir, "missing.jsonl"), "--capacity-blocks", "10"])).stderr).toMatch(/cannot read/);
  });
});
