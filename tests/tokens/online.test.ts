import { describe, expect, it } from "vitest";
import { generateTokenTrace } from "../../src/tokens/generate.js";
import { evaluateOnline } from "../../src/tokens/online.js";
import { BUDGET_ALLOCATORS } from "../../src/tokens/budgets/registry.js";
import { TOKEN_POLICIES } from "../../src/tokens/policies/registry.js";
import { runCli } from "../helpers/cli.js";

// d = 64: at small head dims the key noise swamps the profiles (the generator is calibrated at 64).
const trace = generateTokenTrace({ contextTokens: 512, futureTokens: 64, kvHeads: 3, headDim: 64, obsWindow: 32, seed: 5 });

describe("online decode mode", () => {
  const results = evaluateOnline(trace, { policies: ["oracle", ...TOKEN_POLICIES.map((p) => p.name)], budget: 0.1 });
  const of = (policy: string, head: number) => results.find((r) => r.policy === policy && r.head === head)!;

  it("keeps the cache at the budget: one eviction per decode step for every policy", () => {
    for (const r of results) {
      expect(r.budget).toBe(51);
      expect(r.evictions).toBe(64);
      expect(r.retained).toBeGreaterThan(0);
      expect(r.retained).toBeLessThanOrEqual(1 + 1e-9);
      expect(r.outputError).toBeGreaterThanOrEqual(0);
    }
  });

  it("the clairvoyant oracle retains the most on every head, and never errs more than random", () => {
    for (let head = 0; head < 3; head++) {
      for (const p of TOKEN_POLICIES) expect(of("oracle", head).retained, p.name).toBeGreaterThanOrEqual(of(p.name, head).retained - 1e-9);
      expect(of("oracle", head).outputError).toBeLessThanOrEqual(of("random", head).outputError);
    }
  });

  it("StreamingLLM keeps more of a streaming head's attention than the key-only heuristics while decoding", () => {
    for (const other of ["knorm", "keydiff", "random"]) expect(of("streaming_llm", 0).retained).toBeGreaterThan(of(other, 0).retained);
  });

  it("spends every allocator's total while decoding: the heads' budgets sum to L × H × round(f·T), DuoAttention's streaming heads evict as streaming_llm", () => {
    const layered = generateTokenTrace({ contextTokens: 384, futureTokens: 32, kvHeads: 2, layers: 2, headDim: 32, obsWindow: 16, seed: 9 });
    const perHead = Math.round(0.5 * 384);
    for (const allocator of BUDGET_ALLOCATORS.map((a) => a.name)) {
      const rows = evaluateOnline(layered, { policies: ["snapkv", "knorm"], budget: 0.5, allocator, allocatorOptions: { duoRecent: 32 } });
      for (const policy of ["snapkv", "knorm"]) {
        const mine = rows.filter((r) => r.policy === policy);
        expect(mine, `${allocator}/${policy}`).toHaveLength(4);
        expect(mine.reduce((sum, r) => sum + r.budget, 0), `${allocator}/${policy}`).toBe(4 * perHead);
        for (const r of mine) {
          expect(r.allocator).toBe(allocator);
          expect(r.retained).toBeGreaterThan(0);
          expect(r.retained).toBeLessThanOrEqual(1 + 1e-9);
        }
      }
      if (allocator === "uniform") expect(rows.every((r) => r.budget === perHead && r.rankedBy === undefined)).toBe(true);
      if (allocator === "duo_attention") {
        // At 50% with sink 4 + recent 32: one retrieval head keeps all 384, the other three stream on 128 each.
        expect(rows.filter((r) => r.policy === "knorm" && r.budget === 384 && r.rankedBy === undefined)).toHaveLength(1);
        expect(rows.filter((r) => r.policy === "knorm" && r.rankedBy === "streaming_llm").map((r) => r.budget)).toEqual([128, 128, 128]);
      }
    }
  });

  it("runs from the CLI and rejects a bad budget", async () => {
    const ok = await runCli(["tokens", "online", "--seeds", "5", "--param", "contextTokens=512", "--param", "futureTokens=32", "--param", "kvHeads=2", "--param", "headDim=16", "-p", "oracle,knorm", "--json"]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).map((r: { policy: string }) => r.policy)).toEqual(["oracle", "oracle", "knorm", "knorm"]);
    const bad = await runCli(["tokens", "online", "--seeds", "1", "--budget", "2"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--budget/);
    const adakv = await runCli(["tokens", "online", "--seeds", "5", "--param", "contextTokens=512", "--param", "futureTokens=32", "--param", "kvHeads=2", "--param", "headDim=16", "-p", "knorm", "--allocator", "adakv", "--alpha-safeguard", "0.5", "--json"]);
    expect(adakv.code).toBe(0);
    expect(JSON.parse(adakv.stdout).every((r: { allocator: string }) => r.allocator === "adakv")).toBe(true);
    const unknown = await runCli(["tokens", "online", "--seeds", "1", "--allocator", "nope"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown budget allocator "nope"/);
  });
});
