import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CATEGORY_COLOURS } from "../../src/report/palette.js";
import { TOKEN_POLICY_NAMES } from "../../src/tokens/policies/registry.js";
import { runCli } from "../helpers/cli.js";

describe("kvsim tokens", () => {
  const dir = mkdtempSync(join(tmpdir(), "kvsim-tokens-"));
  const file = join(dir, "t.kvtrace");

  it("generates a trace and evaluates it, writing per-head results", async () => {
    const gen = await runCli(["tokens", "generate", "--out", file, "--context", "512", "--future", "64", "--heads", "3", "--head-dim", "16", "--param", "questionHint=0"]);
    expect(gen.code).toBe(0);
    const { code, stdout } = await runCli(["tokens", "evaluate", "-t", file, "-p", "oracle,knorm", "--json", "--out", dir]);
    expect(code).toBe(0);
    const summary = JSON.parse(stdout) as { policy: string; profile: string }[];
    expect(summary.map((r) => `${r.policy}/${r.profile}`)).toContain("knorm/retrieval");
    expect(readFileSync(join(dir, "heads.jsonl"), "utf8").trim().split("\n")).toHaveLength(6);
    const csv = readFileSync(join(dir, "summary.csv"), "utf8").trim().split("\n");
    expect(csv[0]).toMatch(/^policy,profile,heads,all_budget_score,ratio_0.05,/);
    expect(csv.some((line) => line.startsWith("oracle,retrieval,1,1,1,1,"))).toBe(true);
    const svg = readFileSync(join(dir, "retention.svg"), "utf8");
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain("knorm");
    // Each policy's line in the colour of its place among the token policies, in every chart.
    for (const policy of ["oracle", "knorm"]) expect(svg, policy).toContain(`stroke="${CATEGORY_COLOURS[TOKEN_POLICY_NAMES.indexOf(policy)]}"`);
  });

  it("spreads the budget over heads and layers with --allocators, reporting the model and each layer", async () => {
    const two = join(dir, "two.kvtrace");
    // Two layers, RoPE-rotated and stored as bf16, as a recorded trace might be.
    expect((await runCli(["tokens", "generate", "--out", two, "--context", "512", "--future", "32", "--heads", "3", "--head-dim", "16", "--layers", "2", "--rope-theta", "10000", "--dtype", "bf16"])).code).toBe(0);
    const { code, stdout } = await runCli(["tokens", "evaluate", "-t", two, "-p", "snapkv", "-b", "0.2", "--allocators", "uniform,adakv", "--alpha-safeguard", "0.5", "--error-queries", "0", "--json", "--out", dir]);
    expect(code).toBe(0);
    const { allocation } = JSON.parse(stdout) as { allocation: { allocator: string; kept: number; budget: number; minHeadBudget: number }[] };
    expect(allocation.map((r) => r.allocator)).toEqual(["uniform", "adakv"]);
    for (const r of allocation) expect(r.kept).toBe(6 * 102);
    expect(allocation[1]!.minHeadBudget).toBeGreaterThanOrEqual(51);
    // Per trace: two layers and the model, per allocator.
    expect(readFileSync(join(dir, "allocation.jsonl"), "utf8").trim().split("\n")).toHaveLength(6);
    const text = await runCli(["tokens", "evaluate", "-t", two, "-p", "snapkv", "-b", "0.2", "--allocators", "pyramidkv,duo_attention", "--error-queries", "0"]);
    expect(text.stdout).toMatch(/budgets spread over heads and layers .*simulated/);
    expect(text.stdout).toMatch(/duo_attention +snapkv +20%/);
    // DuoAttention's gates given as its full_attention_heads.tsv rank the heads across the model.
    const pattern = join(dir, "two.full_attention_heads.tsv");
    writeFileSync(pattern, "0.1\t0.2\t0.3\n0.9\t0.8\t0.4\n");
    const gatedOut = join(dir, "gated");
    const gated = await runCli(["tokens", "evaluate", "-t", two, "-p", "snapkv", "-b", "0.5", "--allocators", "duo_attention", "--duo-recent", "60", "--duo-pattern", pattern, "--error-queries", "0", "--out", gatedOut]);
    expect(gated.code).toBe(0);
    // 6 × 256 = 1536 tokens: (1536 − 6·64) / (512 − 64) → 2 retrieval heads, both in layer 1 by the gates; the rest stream on 128.
    const layers = readFileSync(join(gatedOut, "allocation.jsonl"), "utf8").trim().split("\n").map((line) => JSON.parse(line) as { layer: number | null; minHeadBudget: number; maxHeadBudget: number });
    expect(layers.filter((r) => r.layer !== null).map((r) => [r.layer, r.minHeadBudget, r.maxHeadBudget])).toEqual([[0, 128, 128], [1, 128, 512]]);
    writeFileSync(pattern, "0.9\t0.1\n");
    const misfit = await runCli(["tokens", "evaluate", "-t", two, "-p", "snapkv", "--allocators", "duo_attention", "--duo-pattern", pattern, "--error-queries", "0"]);
    expect(misfit.code).toBe(2);
    expect(misfit.stderr).toMatch(/two\.full_attention_heads\.tsv: the head pattern is 1 layers × 2 KV heads, but the trace's model has 2 × 3/);
  });

  it.each([
    [["tokens", "evaluate", "-t", "/tmp/x.kvtrace", "--allocators", "uniform,magic"], /unknown budget allocator "magic"/],
    [["tokens", "generate", "--out", "/tmp/x.kvtrace", "--dtype", "f8"], /--dtype: expected f32, f16 or bf16, got "f8"/],
    [["tokens", "generate", "--out", "/tmp/x.kvtrace", "--rope-theta", "-1"], /--rope-theta must be a positive number/],
    [["tokens", "evaluate", "-t", "/tmp/x.kvtrace", "--alpha-safeguard", "1.5"], /--alpha-safeguard must be in \[0, 1\)/],
    [["tokens", "generate", "--out", "/tmp/x.kvtrace", "--param", "sparkle=1"], /unknown generator parameter "sparkle"/],
    [["tokens", "generate", "--out", "/tmp/x.kvtrace", "--context", "10"], /contextTokens/],
    [["tokens", "evaluate", "-t", "/nonexistent.kvtrace"], /cannot read \/nonexistent.kvtrace/],
    [["tokens", "evaluate", "-t", "/tmp/x.kvtrace", "-b", "0.1,2"], /--budgets/],
    [["tokens", "online", "--seeds", "1", "--allocator", "duo_attention", "--duo-pattern", "/nonexistent.tsv"], /cannot read \/nonexistent\.tsv/],
  ])("exits 2 on %j", async (args, message) => {
    const { code, stderr } = await runCli(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });
});
