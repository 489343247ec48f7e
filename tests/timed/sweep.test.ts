import { readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CATEGORY_COLOURS } from "../../src/report/palette.js";
import { originOf } from "../../src/sweep/plan-files.js";
import { gpuPreset } from "../../src/timed/gpus.js";
import { modelPreset } from "../../src/timed/models.js";
import { simulateServing } from "../../src/timed/simulate.js";
import { servingMetrics } from "../../src/timed/sweep/job.js";
import { planServingSweep } from "../../src/timed/sweep/plan-files.js";
import { runServingSweep } from "../../src/timed/sweep/run.js";
import { parseServingSweepSpec, type ServingSweepSpecInput } from "../../src/timed/sweep/spec.js";
import { syntheticRequests } from "../../src/timed/workloads.js";
import { runCli } from "../helpers/cli.js";
import { servingSweepDir } from "../helpers/serving-sweep-dir.js";

const chat = {
  requests: 150, arrivals: { kind: "poisson", qps: 3 }, prompt: { kind: "uniform", min: 10, max: 600 }, output: { kind: "uniform", min: 1, max: 120 },
  sessions: { turns: { kind: "uniform", min: 1, max: 4 }, thinkTimeS: 2, systemPromptTokens: 128 },
};
const dir = servingSweepDir("kvsim-serving-sweep-", chat);

const spec: ServingSweepSpecInput = {
  name: "t", kind: "serving",
  workloads: ["chat.json", { trace: "five.csv", label: "five" }],
  deployments: [{ model: "llama-2-7b", gpu: "a100-80gb" }, { model: "llama-3-8b", gpu: "h100-sxm", tp: 2, label: "h100x2" }],
  schedulers: ["vllm", { name: "sarathi", chunkSize: 256 }],
  qps: [2, 6], kvBlocks: [800], slo: { ttftMs: 300, tpotMs: 40 }, seeds: [1, 2],
};
const specFile = join(dir, "spec.json");
writeFileSync(specFile, JSON.stringify(spec));
const plan = (s: ServingSweepSpecInput = spec) => planServingSweep(parseServingSweepSpec(s, specFile), originOf(specFile));

describe("serving sweeps", () => {
  it("plans seeds × workloads × deployments × schedulers × QPS × cache sizes, in that order, with stable keys", async () => {
    const p = await plan();
    expect(p.rows).toHaveLength(2 * 2 * 2 * 2 * 2);
    expect(p.rows[0]!.key).toBe("chat/llama-2-7b@a100-80gb/vllm/qps=2/kv=800/1");
    expect(p.rows[3]!.key).toBe("chat/llama-2-7b@a100-80gb/sarathi(chunkSize=256)/qps=6/kv=800/1");
    expect(p.rows.at(-1)!.key).toBe("five/h100x2/sarathi(chunkSize=256)/qps=6/kv=800/2");
    expect((await plan()).specHash).toBe(p.specHash);
  });

  it("a row's metrics are the summary of the run it names; the same files for one thread or two", async () => {
    const p = await plan();
    const one = await runServingSweep(p, { outDir: join(dir, "one"), threads: 1, charts: false });
    const two = await runServingSweep(p, { outDir: join(dir, "two"), threads: 2, charts: false });
    expect(one.status).toBe("complete");
    for (const f of ["results.jsonl", "results.csv", "summary.csv"]) {
      expect(readFileSync(join(dir, "two", f), "utf8"), f).toBe(readFileSync(join(dir, "one", f), "utf8"));
    }
    expect(two.threads).toBe(Math.min(2, availableParallelism()));
    const direct = simulateServing({
      requests: syntheticRequests({ ...chat, arrivals: { kind: "poisson", qps: 6 } } as never, 2), model: modelPreset("llama-2-7b"), gpu: gpuPreset("a100-80gb"),
      kvBlocks: 800, slo: { ttftS: 0.3, tpotS: 0.04 },
    }).summary;
    const row = one.results.find((r) => r.key === "chat/llama-2-7b@a100-80gb/vllm/qps=6/kv=800/2")!;
    expect(row.metrics).toEqual(servingMetrics(direct));
    expect(row.metrics).not.toHaveProperty("simulationMs");
    // Two seeds per cell: a mean, a standard deviation and a confidence interval.
    expect(one.summary[0]!.stats["ttft.p99"]).toMatchObject({ n: 2 });
    expect(one.summary[0]!.stats["ttft.p99"]!.ci95).toBeGreaterThan(0);
  });

  it("resumes: rows already written are kept, the rest run, and the files end the same", async () => {
    const p = await plan();
    const out = join(dir, "resumed");
    await runServingSweep(p, { outDir: out, threads: 1, charts: false });
    const full = readFileSync(join(out, "results.jsonl"), "utf8");
    writeFileSync(join(out, "results.jsonl"), full.split("\n").slice(0, 7).join("\n") + "\n");
    const again = await runServingSweep(p, { outDir: out, threads: 1, resume: true, charts: false });
    expect(again.resumed).toBe(7);
    expect(readFileSync(join(out, "results.jsonl"), "utf8")).toBe(full);
  });

  it("draws latency-vs-qps.svg with a colour and shape per scheduler and cache size, named in the legend", async () => {
    const out = join(dir, "charts");
    await runServingSweep(await plan(), { outDir: out, threads: 1 });
    const svg = readFileSync(join(out, "latency-vs-qps.svg"), "utf8");
    const series = ["vllm, 800 blocks", "sarathi(chunkSize=256), 800 blocks"];
    series.forEach((label, i) => {
      expect(svg, label).toContain(`>${label}<`);
      expect(svg, label).toContain(`stroke="${CATEGORY_COLOURS[i]}"`);
    });
    expect(svg).toContain(">mean KV use (fraction of blocks)<");
  });

  it("at one rate draws latency-by-scheduler.svg: a bar per scheduler of p50 and p99 TTFT, p99 TPOT and goodput (with SLOs); not latency-vs-qps.svg", async () => {
    const one = { ...spec, workloads: ["chat.json"], deployments: [spec.deployments[0]!], qps: [4], seeds: [1] };
    const out = join(dir, "bars");
    await runServingSweep(await plan(one), { outDir: out, threads: 1 });
    const svg = readFileSync(join(out, "latency-by-scheduler.svg"), "utf8");
    for (const label of ["vllm, 800 blocks", "sarathi(chunkSize=256), 800 blocks"]) expect(svg, label).toContain(`>${label}<`);
    for (const panel of ["p50 TTFT (s)", "p99 TTFT (s)", "p99 TPOT (s)", "goodput (share of requests within the SLOs)"]) expect(svg, panel).toContain(`>${panel}<`);
    expect(svg).toContain("at 4 QPS");
    expect(() => readFileSync(join(out, "latency-vs-qps.svg"))).toThrow();
    const withoutSlo = join(dir, "bars-no-slo");
    await runServingSweep(await plan({ ...one, slo: undefined }), { outDir: withoutSlo, threads: 1 });
    expect(readFileSync(join(withoutSlo, "latency-by-scheduler.svg"), "utf8")).not.toContain("goodput");
  });

  it("refuses a bad spec before any run, naming the field", async () => {
    const bad = (patch: Partial<ServingSweepSpecInput>) => plan({ ...spec, ...patch });
    await expect(bad({ deployments: [{ model: "gpt-9", gpu: "a100-80gb" }] })).rejects.toThrow(/deployments\.0: .*gpt-9/);
    await expect(bad({ schedulers: [{ name: "sarathi", eviction: "lru" }] })).rejects.toThrow(/schedulers\.0: prefixCaching and eviction are vllm's/);
    await expect(bad({ schedulers: [{ name: "vllm", eviction: "nope" }] })).rejects.toThrow(/schedulers\.0: eviction: unknown or unsupported block eviction policy "nope"/);
    await expect(bad({ schedulers: [{ name: "vllm", eviction: "belady" }], instances: [2] })).rejects.toThrow(/schedulers\.0: eviction: belady needs the next use of each request's blocks on its instance/);
    await expect(bad({ workloads: ["missing.json"] })).rejects.toThrow(/workloads\.0: workload spec missing\.json not found/);
    await expect(bad({ schedulers: ["vllm", "vllm"] })).rejects.toThrow(/schedulers\.1: duplicate label "vllm"/);
    await expect(bad({ deployments: [{ model: "llama-3-70b", gpu: "l4" }] })).rejects.toThrow(/deployments\.0 with schedulers\.0: llama-3-70b does not fit/);
    expect(() => parseServingSweepSpec({ ...spec, qps: [0] }, "s.json")).toThrow(/s\.json: qps\.0: /);
  });

  it("kvsim sweep runs a serving spec and prints its table (on Redis workers: tests/sweep/redis.test.ts)", async () => {
    const out = join(dir, "cli");
    const r = await runCli(["sweep", specFile, "--out", out, "--no-charts"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/chat · llama-2-7b@a100-80gb — simulated, means over seeds/);
    expect(readFileSync(join(out, "results.jsonl"), "utf8")).toBe(readFileSync(join(dir, "one", "results.jsonl"), "utf8"));
  });
});
