import { describe, expect, it } from "vitest";
import { generateTokenTrace } from "../../src/tokens/generate.js";
import { evaluateOnline } from "../../src/tokens/online.js";
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

  it("runs from the CLI and rejects a bad budget", async () => {
    const ok = await runCli(["tokens", "online", "--seeds", "5", "--param", "contextTokens=512", "--param", "futureTokens=32", "--param", "kvHeads=2", "--param", "headDim=16", "-p", "oracle,knorm", "--json"]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).map((r: { policy: string }) => r.policy)).toEqual(["oracle", "oracle", "knorm", "knorm"]);
    const bad = await runCli(["tokens", "online", "--seeds", "1", "--budget", "2"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--budget/);
  });
});
