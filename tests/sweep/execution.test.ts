import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { planSweep } from "../../src/sweep/plan-files.js";
import { sweepRowCount } from "../../src/sweep/plan.js";
import { runSweep } from "../../src/sweep/run-sweep.js";
import { parseSweepSpec, type SweepSpecInput } from "../../src/sweep/spec.js";
import { runCli } from "../helpers/cli.js";

const origin = { source: "test", baseDir: process.cwd() };
const tmp = (tag: string) => mkdtempSync(join(tmpdir(), `kvsim-${tag}-`));
const plan = async (spec: SweepSpecInput) => planSweep(parseSweepSpec(spec, "test"), origin);

const SMALL: SweepSpecInput = {
  name: "small",
  scenarios: ["small_fp16_prefetch", "constrained_fp16_prefetch"],
  workloads: ["chat_continuation", "rag_burst", { name: "zipf", params: { pages: 300, length: 3000 } }],
  policies: ["lru", "fifo", "sieve", "s3fifo", "random", "cost_aware", { name: "predictive", label: "predictive-default" }, "belady"],
  seeds: [1, 2, 3],
};

/** Every artifact of a sweep directory but the metadata (which records threads and timings). */
function artifacts(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).filter((f) => f !== "run_metadata.json").sort()
    .map((f) => [f, readFileSync(join(dir, f), "utf8")]));
}

describe("sweep execution", () => {
  it("counts a spec's rows before planning exactly as the plan does", async () => {
    expect(sweepRowCount(parseSweepSpec(SMALL, "test"))).toBe((await plan(SMALL)).rows.length);
    const noSeeds = { ...SMALL, seeds: undefined };
    expect(sweepRowCount(parseSweepSpec(noSeeds, "test"))).toBe((await plan(noSeeds)).rows.length);
  });

  it("writes byte-identical artifacts on the main thread, 1 worker and 2 workers", async () => {
    const p = await plan(SMALL);
    const dirs = [tmp("inline"), tmp("t1"), tmp("t2")];
    await runSweep(p, { outDir: dirs[0]! });
    await runSweep(p, { outDir: dirs[1]!, threads: 1 });
    const two = await runSweep(p, { outDir: dirs[2]!, threads: 2 });
    expect(two.status).toBe("complete");
    const [a, b, c] = dirs.map(artifacts);
    expect(Object.keys(a!)).toEqual(["hit_rate_by_policy.svg", "hit_rate_heatmap.svg", "latency_by_policy.svg", "latency_per_seed.svg",
      "latency_vs_bytes.svg", "results.csv", "results.jsonl", "summary.csv"]);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    expect(a!["results.jsonl"]!.trimEnd().split("\n")).toHaveLength(144);
    const metadata = JSON.parse(readFileSync(join(dirs[2]!, "run_metadata.json"), "utf8"));
    expect(metadata).toMatchObject({ status: "complete", threads: 2, rows: 144, specHash: p.specHash, spec: "small" });
    expect(metadata.kvsimVersion).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("summarises across seeds and draws every policy in every chart", async () => {
    const dir = tmp("charts");
    const outcome = await runSweep(await plan(SMALL), { outDir: dir });
    const summary = readFileSync(join(dir, "summary.csv"), "utf8").trimEnd().split("\n");
    expect(summary).toHaveLength(1 + 2 * 3 * 8);
    expect(summary[0]).toMatch(/^scenario,workload,policy,n,hitRate_mean,hitRate_std,hitRate_ci95,/);
    const cell = outcome.summary.find((r) => r.workload === "rag_burst" && r.policy === "lru" && r.scenario === "small_fp16_prefetch")!;
    const rates = outcome.results.filter((r) => r.workload === "rag_burst" && r.policy === "lru" && r.scenario === "small_fp16_prefetch")
      .map((r) => r.metrics.hitRate);
    expect(rates).toHaveLength(3);
    expect(cell.stats.hitRate!.mean).toBeCloseTo(rates.reduce((x, y) => x + y) / 3, 12);
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".svg"))) {
      const svg = readFileSync(join(dir, file), "utf8");
      expect(svg.startsWith("<svg")).toBe(true);
      for (const policy of ["lru", "fifo", "sieve", "s3fifo", "random", "cost_aware", "predictive-default", "belady"]) {
        expect(svg, `${file} names ${policy}`).toContain(`>${policy}<`);
      }
    }
  });

  it("reports a failing job with its row, finishes the rest and exits 1", async () => {
    const dir = tmp("fail");
    const spec = join(dir, "spec.json");
    writeFileSync(spec, JSON.stringify({
      name: "fail", workloads: ["rag_burst"], policies: ["lru", "fifo"],
      scenarios: ["small_fp16_prefetch", { name: "too_small", quantization: "fp16", tiers: [
        { name: "hbm", capacityBytes: 100, readLatencyMs: 0.1, writeLatencyMs: 0.1, bandwidthBytesPerMs: 100 }] }],
    }));
    const out = join(dir, "out");
    const r = await runCli(["sweep", spec, "--out", out, "--threads", "2", "--no-charts"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/row 2 \(too_small\/rag_burst\/lru\/default\) failed: page \d+ \(\d+ bytes\) is larger than tier "hbm"/);
    expect(readFileSync(join(out, "results.jsonl"), "utf8").trimEnd().split("\n")).toHaveLength(2);
    const metadata = JSON.parse(readFileSync(join(out, "run_metadata.json"), "utf8"));
    expect(metadata.status).toBe("failed");
    expect(metadata.failures.map((f: { key: string }) => f.key)).toEqual(["too_small/rag_burst/lru/default", "too_small/rag_burst/fifo/default"]);
  });

  it("refuses to resume into a directory holding another sweep's results", async () => {
    const dir = tmp("other");
    await runSweep(await plan({ ...SMALL, seeds: [1] }), { outDir: dir, charts: false });
    await expect(runSweep(await plan({ ...SMALL, seeds: [2] }), { outDir: dir, resume: true })).rejects.toThrow(/different sweep/);
  });
});

const KILLED: SweepSpecInput = {
  name: "killed",
  scenarios: ["small_fp16_prefetch"],
  workloads: [{ name: "zipf", params: { pages: 20_000, length: 300_000 } }, { name: "zipf", params: { pages: 5_000, length: 300_000, alpha: 1.2 }, label: "zipf-skewed" }],
  policies: ["lru", "fifo", "sieve", "s3fifo", "random", "heavy_hitter"],
  seeds: [1, 2, 3],
};

function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, "utf8").split("\n").filter((l) => l.length > 0) : [];
}

describe("resume after kill -9", () => {
  it("completes the file with no duplicate and no missing row", async () => {
    const dir = tmp("kill");
    const spec = join(dir, "spec.json");
    writeFileSync(spec, JSON.stringify(KILLED));
    const out = join(dir, "out");
    const results = join(out, "results.jsonl");
    const child = spawn(process.execPath, ["bin/kvsim.js", "sweep", spec, "--out", out, "--threads", "1", "--no-charts"], { stdio: "ignore" });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
    const deadline = Date.now() + 60_000;
    while (lines(results).length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    const partial = readFileSync(results, "utf8");
    const complete = partial.split("\n").slice(0, -1);
    expect(complete.length).toBeGreaterThanOrEqual(4);
    expect(complete.length).toBeLessThan(36);
    for (const line of complete) expect(() => JSON.parse(line)).not.toThrow();

    const resumed = await runCli(["sweep", spec, "--out", out, "--resume", "--threads", "2", "--no-charts", "--json"]);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout).resumed).toBe(complete.length);
    const fresh = join(dir, "fresh");
    expect((await runCli(["sweep", spec, "--out", fresh, "--no-charts", "--json"])).code).toBe(0);
    const got = readFileSync(results, "utf8");
    expect(got).toBe(readFileSync(join(fresh, "results.jsonl"), "utf8"));
    const keys = got.trimEnd().split("\n").map((l) => (JSON.parse(l) as { key: string }).key);
    expect(new Set(keys).size).toBe(36);
    expect(readFileSync(join(out, "summary.csv"), "utf8")).toBe(readFileSync(join(fresh, "summary.csv"), "utf8"));
  });
});
