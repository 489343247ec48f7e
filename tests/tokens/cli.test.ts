import { mkdtempSync, readFileSync } from "node:fs";
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

  it.each([
    [["tokens", "generate", "--out", "/tmp/x.kvtrace", "--param", "sparkle=1"], /unknown generator parameter "sparkle"/],
    [["tokens", "generate", "--out", "/tmp/x.kvtrace", "--context", "10"], /contextTokens/],
    [["tokens", "evaluate", "-t", "/nonexistent.kvtrace"], /cannot read \/nonexistent.kvtrace/],
    [["tokens", "evaluate", "-t", "/tmp/x.kvtrace", "-b", "0.1,2"], /--budgets/],
  ])("exits 2 on %j", async (args, message) => {
    const { code, stderr } = await runCli(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });
});
