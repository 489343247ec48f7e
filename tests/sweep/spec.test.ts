import { mkdtempSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { planSweep } from "../../src/sweep/plan-files.js";
import { sweepPreset, SWEEP_PRESETS } from "../../src/sweep/presets.js";
import { parseSweepSpec } from "../../src/sweep/spec.js";
import { stat } from "../../src/sweep/summary.js";
import { runCli } from "../helpers/cli.js";

const origin = { source: "spec.json", baseDir: process.cwd() };
const plan = async (spec: unknown) => planSweep(parseSweepSpec(spec, "spec.json"), origin);
const base = { name: "t", scenarios: ["small_fp16_prefetch"], workloads: ["rag_burst"], policies: ["lru"] };

describe("sweep spec", () => {
  it("expands seeds × scenarios × workloads × policies in that nesting order, with labels", async () => {
    const p = await plan({
      ...base, scenarios: ["small_fp16_prefetch", "constrained_fp16_prefetch"],
      workloads: ["rag_burst", { name: "zipf", params: { pages: 50, length: 500 } }],
      policies: ["lru", { name: "regret_aware", params: { regret_weight: 2 }, label: "regret_w2" }], seeds: [5, 6],
    });
    expect(p.rows).toHaveLength(16);
    expect(p.rows.slice(0, 4).map((r) => r.key)).toEqual([
      "small_fp16_prefetch/rag_burst/lru/5", "small_fp16_prefetch/rag_burst/regret_w2/5",
      "small_fp16_prefetch/zipf(pages=50,length=500)/lru/5", "small_fp16_prefetch/zipf(pages=50,length=500)/regret_w2/5",
    ]);
    expect(p.rows[15]!.key).toBe("constrained_fp16_prefetch/zipf(pages=50,length=500)/regret_w2/6");
    expect(p.rows[1]!.params.regret_weight).toBe(2);
    // A seed reseeds each generator: 2 workloads × 2 seeds distinct traces, shared across scenarios.
    expect(p.traces).toHaveLength(4);
    expect(p.rows[4]!.traceId).toBe(p.rows[0]!.traceId);
    expect(p.rows[8]!.traceId).not.toBe(p.rows[0]!.traceId);
  });

  it("keeps a generator's own seed when the workload fixes it, and its default seed without seeds", async () => {
    const fixed = await plan({ ...base, workloads: [{ name: "rag_burst", params: { seed: 11 } }], seeds: [1, 2] });
    expect(fixed.traces).toHaveLength(1);
    const unseeded = await plan(base);
    expect(unseeded.rows[0]!.seed).toBeNull();
    expect(Array.from(unseeded.traces[0]!.accesses)).toEqual(Array.from(fixed.traces[0]!.accesses));
  });

  it.each([
    [{ ...base, policies: ["lru", "nope"] }, /spec\.json: policies\.1: unknown policy "nope"/],
    [{ ...base, policies: [{ name: "lru", params: { x: 1 } }] }, /policies\.0: policy "lru" has no parameter "x"/],
    [{ ...base, workloads: [{ trace: "missing.jsonl" }] }, /workloads\.0: trace file missing\.jsonl not found/],
    [{ ...base, workloads: [{ name: "zipf", params: { alpha: "x" } }] }, /workloads\.0: workload "zipf" parameter "alpha" must be a number/],
    [{ ...base, scenarios: ["nowhere"] }, /scenarios\.0: "nowhere" is neither a scenario preset nor a file/],
    [{ ...base, scenarios: [{ name: "x", tiers: [] }] }, /scenarios\.0: inline scenario: tiers/],
    [{ ...base, seeds: ["a"] }, /spec\.json: seeds\.0/],
    [{ ...base, policies: "lru" }, /spec\.json: policies: /],
    [{ ...base, extra: 1 }, /spec\.json: \(root\): Unrecognized key/],
    [{ ...base, policies: ["lru", "lru"] }, /policies\.1: duplicate label "lru"/],
    [{ ...base, profile: "kvsim", policies: ["sieve"], scenarios: ["small_fp16_prefetch"] }, null],
    [{ ...base, profile: "khl", policies: ["sieve"] }, /policies\.0: policy "sieve" does not exist in the khl profile/],
  ])("rejects bad spec %# before any work", async (spec, message) => {
    if (message === null) {
      await expect(plan(spec)).resolves.toBeDefined();
      return;
    }
    await expect(plan(spec)).rejects.toThrow(message);
  });

  it("fails on the CLI with exit code 2 and creates no output for a bad spec", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kvsim-spec-"));
    const file = join(dir, "spec.json");
    writeFileSync(file, JSON.stringify({ ...base, policies: ["lru", "nope"] }));
    const out = join(dir, "out");
    const r = await runCli(["sweep", file, "--out", out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/spec\.json: policies\.1: unknown policy "nope"/);
    expect(existsSync(out)).toBe(false);
    writeFileSync(file, '{"name": "t",\n  "scenarios": [}');
    const syntax = await runCli(["sweep", file, "--out", out]);
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toMatch(/spec\.json:2:\d+: invalid JSON/);
    expect((await runCli(["sweep", "--out", out])).code).toBe(2);
    expect((await runCli(["sweep", file, "--preset", "khl-default", "--out", out])).code).toBe(2);
    expect((await runCli(["sweep", "--preset", "nope", "--out", out])).stderr).toMatch(/unknown sweep preset "nope"/);
  });

  it("resolves trace and scenario paths against the spec file's directory", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kvsim-spec-"));
    writeFileSync(join(dir, "t.csv"), "page\n0\n1\n0\n2\n");
    writeFileSync(join(dir, "s.json"), JSON.stringify({ name: "tiny", quantization: "fp16", tiers: [
      { name: "a", capacityBytes: 10000, readLatencyMs: 0.1, writeLatencyMs: 0.1, bandwidthBytesPerMs: 1000 }] }));
    const p = await planSweep(parseSweepSpec({ ...base, scenarios: ["s.json"], workloads: [{ trace: "t.csv" }] }, "x"),
      { source: "x", baseDir: dir });
    expect(p.rows[0]!.key).toBe("tiny/t.csv/lru/default");
    expect(p.traces[0]!.accesses).toHaveLength(4);
  });

  it("reads a trace with every page one byte when its entry says ignoreObjectSize, as a trace of its own", async () => {
    const trace = "tests/fixtures/libcachesim/cloudPhysicsIO.oracleGeneral.bin";
    const p = await plan({ ...base, workloads: [{ trace }, { trace, ignoreObjectSize: true, label: "objects" }] });
    expect(p.traces).toHaveLength(2);
    expect(p.traces[0]!.pageBytes!.some((b) => b > 1)).toBe(true);
    expect(p.traces[1]!.pageBytes!.every((b) => b === 1)).toBe(true);
    expect(p.traces[1]!.accesses).toEqual(p.traces[0]!.accesses);
    await expect(plan({ ...base, workloads: [{ trace, ignoreObjectSize: "yes" }] })).rejects.toThrow(/workloads\.0/);
  });

  it("has presets of the documented sizes", async () => {
    const sizes = Object.fromEntries(await Promise.all(SWEEP_PRESETS.map(async (preset) =>
      [preset.name, (await plan(sweepPreset(preset.name).spec())).rows.length] as const)));
    expect(sizes).toEqual({ "policy-comparison": 714, "khl-default": 210, "khl-regret-ablation": 198 });
    const ablation = await plan(sweepPreset("khl-regret-ablation").spec());
    expect([...new Set(ablation.rows.map((r) => r.policy))]).toContain("regret_aware_w6.0_h24");
    expect(ablation.rows.find((r) => r.policy === "regret_aware_w12.0_h8")!.params).toMatchObject({ regret_weight: 12, regret_horizon: 8 });
  });
});

describe("summary statistics", () => {
  it("gives the mean, sample std and Student-t 95% half-width", () => {
    const s = stat([1, 2, 3]);
    expect(s.mean).toBe(2);
    expect(s.std).toBe(1);
    expect(s.ci95!).toBeCloseTo(4.302652729 / Math.sqrt(3), 8);
    expect(stat([5])).toEqual({ n: 1, mean: 5 });
  });
});
