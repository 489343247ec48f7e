import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { fixture, readFixtureJson } from "../helpers/khl.js";
import { generateWorkload } from "../../src/workloads/registry.js";

const dir = mkdtempSync(join(tmpdir(), "kvsim-cli-"));
const write = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe("kvsim run", () => {
  it("prints the documented JSON shape", async () => {
    const { code, stdout } = await runCli(["run", "--scenario", "small_fp16_prefetch", "--workload", "rag_burst",
      "--policy", "windowed_recency", "--param", "window_size=16", "--json"]);
    expect(code).toBe(0);
    const r = JSON.parse(stdout);
    expect(Object.keys(r)).toEqual(["scenario", "workload", "policy", "profile", "params", "seed", "metrics", "elapsedMs", "accessesPerSecond"]);
    expect(r.params).toEqual({ window_size: 16 });
    for (const k of ["accesses", "hits", "misses", "evictions", "hitRate", "avgLatencyMs", "bytesMoved", "demandBytesMoved",
      "prefetchBytesMoved", "prefetchRequests", "usefulPrefetches", "wastedPrefetches", "prefetchUsefulness", "tierHitRate",
      "peakFootprintBytes"]) {
      expect(r.metrics, k).toHaveProperty(k);
    }
    expect(r.metrics.accesses).toBe(320);
    expect(r.metrics.hits + r.metrics.misses).toBe(320);
    expect(r.accessesPerSecond).toBeGreaterThan(0);
  });

  it("replays an exported kv-hierarchy-lab trace under the khl profile like its sweep row", async () => {
    const { code, stdout } = await runCli(["run", "--scenario", "small_fp16_prefetch", "--trace",
      fixture("kv-hierarchy-lab/traces.json"), "--trace-index", "1", "--policy", "regret_aware", "--profile", "khl", "--json"]);
    expect(code).toBe(0);
    const rows = readFixtureJson<{ scenario: string; workload: string; policy: string; metrics: { miss_count: number; bytes_moved: number } }[]>(
      "kv-hierarchy-lab/default_sweep.json");
    const row = rows.find((x) => x.scenario === "small_fp16_prefetch" && x.workload === "rag_burst" && x.policy === "regret_aware")!;
    const r = JSON.parse(stdout);
    expect(r.workload).toBe("rag_burst");
    expect(r.metrics.misses).toBe(row.metrics.miss_count);
    expect(r.metrics.bytesMoved).toBe(row.metrics.bytes_moved);
  });

  it("reports the event log with --events", async () => {
    const { code, stdout } = await runCli(["run", "--scenario", "small_fp16_prefetch", "--workload", "rag_burst",
      "--policy", "lru", "--profile", "khl", "--events", "3", "--json"]);
    expect(code).toBe(0);
    const r = JSON.parse(stdout);
    expect(r.events).toEqual([
      [0, "promote", `page-${generateWorkload("rag_burst").accesses[0]}`, "tier3_nvme_like", "tier0_gpu_fast",
        expect.any(Number), expect.any(Number)],
      expect.anything(), expect.anything(),
    ]);
    const text = (await runCli(["run", "--scenario", "small_fp16_prefetch", "--workload", "rag_burst", "--policy", "lru",
      "--events", "2"])).stdout;
    expect(text).toMatch(/step\s+event\s+page/);
  });

  it("accepts a scenario file", async () => {
    const file = write("two-tier.json", JSON.stringify({
      name: "two-tier", quantization: "fp8", prefetch: false,
      tiers: [
        { name: "hbm", capacityBytes: 20000, readLatencyMs: 0.01, writeLatencyMs: 0.01, bandwidthBytesPerMs: 1e6 },
        { name: "dram", capacityBytes: 1e6, readLatencyMs: 0.1, writeLatencyMs: 0.1, bandwidthBytesPerMs: 5e4 },
      ],
    }));
    const { code, stdout } = await runCli(["run", "--scenario", file, "--workload", "long_tail_mix", "--policy", "s3fifo", "--json"]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).scenario).toBe("two-tier");
  });
});

describe("kvsim run: bad input exits 2 with a message naming the problem", () => {
  const base = ["run", "--scenario", "small_fp16_prefetch", "--workload", "rag_burst", "--policy", "lru"];
  const cases: [string, string[], RegExp][] = [
    ["unknown policy", ["run", "--scenario", "small_fp16_prefetch", "--workload", "rag_burst", "--policy", "lru2"], /unknown policy "lru2"/],
    ["unknown scenario", ["run", "--scenario", "tiny", "--workload", "rag_burst", "--policy", "lru"], /unknown scenario "tiny"/],
    ["unknown workload", ["run", "--scenario", "small_fp16_prefetch", "--workload", "nope", "--policy", "lru"], /unknown workload "nope"/],
    ["unknown parameter", [...base, "--param", "window=3"], /policy "lru" has no parameter "window"/],
    ["non-numeric parameter", ["run", "--scenario", "small_fp16_prefetch", "--workload", "rag_burst", "--policy", "windowed_recency", "--param", "window_size=big"], /window_size" must be a number/],
    ["fractional integer parameter", ["run", "--scenario", "small_fp16_prefetch", "--workload", "rag_burst", "--policy", "windowed_recency", "--param", "window_size=2.5"], /must be an integer/],
    ["bad workload parameter", [...base, "--workload-param", "length=-3"], /"length" must be ≥ 1/],
    ["empty workload", [...base, "--workload-param", "length=0"], /"length" must be ≥ 1, got 0/],
    ["workload past the range (before allocating)", [...base, "--workload-param", "length=1e12"], /"length" must be ≤ 268435456, got 1000000000000/],
    ["sample count past its range (before allocating)", ["run", "--scenario", "small_fp16_prefetch", "--workload", "rag_burst", "--policy", "cost_aware", "--param", "samples=1e12"], /"samples" must be ≤ 4096, got 1000000000000/],
    ["integer parameter past i32", ["run", "--scenario", "small_fp16_prefetch", "--workload", "rag_burst", "--policy", "windowed_recency", "--param", "window_size=1e10"], /"window_size" must be ≤ 2147483647/],
    ["fraction past 1", ["run", "--scenario", "small_fp16_prefetch", "--workload", "rag_burst", "--policy", "s3fifo", "--param", "small_ratio=5"], /"small_ratio" must be ≤ 1, got 5/],
    ["seed past 32 bits", [...base, "--seed", "1e30"], /--seed must be an integer from 0 to 4,294,967,295, got "1e30"/],
    ["events past the range", [...base, "--events", "1e12"], /--events must be an integer from 0 to 10,000,000/],
    ["policy not in profile", ["run", "--scenario", "small_fp16_prefetch", "--workload", "rag_burst", "--policy", "sieve", "--profile", "khl"], /not available in the khl profile/],
    ["both workload and trace", [...base, "--trace", "x.json"], /exactly one of --workload and --trace/],
    ["unknown option", [...base, "--bogus"], /unknown option/],
    ["bad profile", [...base, "--profile", "fast"], /Allowed choices are kvsim, khl/],
  ];
  it.each(cases)("%s", async (_name, args, message) => {
    const { code, stderr } = await runCli(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("malformed scenario JSON names file, line and column", async () => {
    const file = write("broken.json", '{\n  "name": "x",\n  "tiers": [,]\n}');
    const { code, stderr } = await runCli(["run", "--scenario", file, "--workload", "rag_burst", "--policy", "lru"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/broken\.json:3:\d+: invalid JSON/);
  });

  it("inconsistent scenario names the field", async () => {
    const file = write("bad-fields.json", JSON.stringify({
      name: "x", quantization: "fp12",
      tiers: [{ name: "a", capacityBytes: -5, readLatencyMs: 0, writeLatencyMs: 0, bandwidthBytesPerMs: 1 },
        { name: "a", capacityBytes: 5, readLatencyMs: 0, writeLatencyMs: 0, bandwidthBytesPerMs: 1 }],
    }));
    const { code, stderr } = await runCli(["run", "--scenario", file, "--workload", "rag_burst", "--policy", "lru"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/bad-fields\.json: quantization:/);
    expect(stderr).toMatch(/bad-fields\.json: tiers\.0\.capacityBytes:/);
  });

  it("duplicate tier names are reported with their path", async () => {
    const file = write("dup.json", JSON.stringify({
      name: "x", quantization: "fp16",
      tiers: [{ name: "a", capacityBytes: 5e6, readLatencyMs: 0, writeLatencyMs: 0, bandwidthBytesPerMs: 1 },
        { name: "a", capacityBytes: 5e6, readLatencyMs: 0, writeLatencyMs: 0, bandwidthBytesPerMs: 1 }],
    }));
    const { code, stderr } = await runCli(["run", "--scenario", file, "--workload", "rag_burst", "--policy", "lru"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/dup\.json: tiers\.1\.name: duplicate tier name "a"/);
  });

  it("a page larger than a tier is an error naming both", async () => {
    const file = write("tiny.json", JSON.stringify({
      name: "tiny", quantization: "fp16",
      tiers: [{ name: "hbm", capacityBytes: 100000, readLatencyMs: 0, writeLatencyMs: 0, bandwidthBytesPerMs: 1 },
        { name: "dram", capacityBytes: 1000, readLatencyMs: 0, writeLatencyMs: 0, bandwidthBytesPerMs: 1 }],
    }));
    const { code, stderr } = await runCli(["run", "--scenario", file, "--workload", "rag_burst", "--policy", "lru"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/page page-\d+ \(\d+ bytes\) is larger than tier "dram" \(1000 bytes\)/);
  });

  it("a trace index out of range names the file", async () => {
    const { code, stderr } = await runCli(["run", "--scenario", "small_fp16_prefetch", "--trace", fixture("kv-hierarchy-lab/traces.json"),
      "--trace-index", "8", "--policy", "lru"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/traces\.json: --trace-index 8 out of range \(the file holds 8 traces\)/);
  });

  it("a page id out of range in a trace names the entry", async () => {
    const file = write("bad-trace.json", JSON.stringify([{ workload: "w", num_pages: 2, num_scalars: [10, 10], trace: [0, 1, 2] }]));
    const { code, stderr } = await runCli(["run", "--scenario", "small_fp16_prefetch", "--trace", file, "--policy", "lru"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/bad-trace\.json: \[0\]\.trace\[2\]: page 2 out of range 0\.\.1/);
  });
});
