/**
 * `npm run bench:sweep`: (1) thread scaling of a sweep of 8 tier-0 capacities × 6 policies over
 * one 10M-access Zipf trace, with 1 and 2 worker threads, and the per-job overhead; (2) the
 * whole-process time of `kvsim sweep --preset khl-default` (Node start-up included) against
 * kv-hierarchy-lab's 3.63 s for the same 210 runs. Writes bench/results/sweep-scaling.json and
 * sweep-process.json. `-- --repeat 1` for a quicker, noisier pass; `-- --only scaling|process`
 * for one part.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Scenario } from "../src/hierarchy/scenario.js";
import { planSweep } from "../src/sweep/plan-files.js";
import { runSweep, type SweepTiming } from "../src/sweep/run-sweep.js";
import { parseSweepSpec } from "../src/sweep/spec.js";
import { median } from "./median.js";

const repeatAt = process.argv.indexOf("--repeat");
const REPEAT = repeatAt > 0 ? Number(process.argv[repeatAt + 1]) : 3;
const onlyAt = process.argv.indexOf("--only");
const ONLY = onlyAt > 0 ? process.argv[onlyAt + 1] : undefined;
const header = () => console.log(`\n| case | figure |\n|---|---:|`);
const KHL_PYTHON_SECONDS = 3.63; // kv-hierarchy-lab's measured time for its 210-run default sweep (its spec)
const PAGE_BYTES = 4096;

/** One tier holding 2^13 … 2^20 pages: a miss-ratio curve's worth of capacities. */
const capacities: Scenario[] = Array.from({ length: 8 }, (_, i) => ({
  name: `tier0_${(8 << i)}k_pages`,
  quantization: "fp16",
  prefetch: { enabled: false, maxCandidates: 2 },
  tiers: [{ name: "hbm", capacityBytes: (8192 << i) * PAGE_BYTES, readLatencyMs: 0.02, writeLatencyMs: 0.02, bandwidthBytesPerMs: 80_000 }],
}));

async function scalingBench(): Promise<void> {
  const spec = parseSweepSpec({
    name: "bench-zipf-capacities",
    scenarios: capacities,
    workloads: [{ name: "zipf", params: { pages: 1_000_000, length: 10_000_000, alpha: 0.99, seed: 1 } }],
    policies: ["lru", "fifo", "sieve", "s3fifo", "random", "belady"],
  }, "bench");
  const plan = await planSweep(spec, { source: "bench", baseDir: process.cwd() });

  const scaling: Record<string, { wallMs: number[]; timing: SweepTiming[] }> = {};
  for (let r = 0; r < REPEAT; r++) {
    for (const threads of [1, 2]) {
      const out = mkdtempSync(join(tmpdir(), "kvsim-bench-sweep-"));
      const t0 = performance.now();
      const outcome = await runSweep(plan, { outDir: out, threads, charts: false });
      const wall = performance.now() - t0;
      if (outcome.status !== "complete") throw new Error(`bench sweep ${outcome.status}`);
      (scaling[threads] ??= { wallMs: [], timing: [] }).wallMs.push(wall);
      scaling[threads]!.timing.push(outcome.timing);
      console.log(`zipf 8 capacities × 6 policies, ${threads} thread(s): ${(wall / 1000).toFixed(2)} s, ` +
        `overhead ${outcome.timing.overheadMsPerJob!.toFixed(2)} ms/job over ${outcome.timing.jobs} jobs`);
    }
  }
  const wall1 = median(scaling[1]!.wallMs);
  const wall2 = median(scaling[2]!.wallMs);
  const result = {
    date: new Date().toISOString(), node: process.version, jobs: plan.rows.length, accessesPerJob: 10_000_000,
    wallSeconds: { threads1: wall1 / 1000, threads2: wall2 / 1000 },
    speedup: wall1 / wall2,
    /** Share of thread time not spent inside runs (start-up, scheduling, transfer, idle tail). */
    overheadShare: {
      threads1: median(scaling[1]!.timing.map((t) => 1 - t.workMs / t.wallMs)),
      threads2: median(scaling[2]!.timing.map((t) => 1 - t.workMs / (t.wallMs * 2))),
    },
    overheadMsPerJob: {
      threads1: median(scaling[1]!.timing.map((t) => t.overheadMsPerJob!)),
      threads2: median(scaling[2]!.timing.map((t) => t.overheadMsPerJob!)),
    },
    runs: REPEAT,
  };
  writeFileSync("bench/results/sweep-scaling.json", JSON.stringify(result, null, 2) + "\n");
  header();
  console.log(`| zipf sweep, 48 jobs × 10M accesses, 1 thread | ${(wall1 / 1000).toFixed(1)} s |`);
  console.log(`| same, 2 threads | ${(wall2 / 1000).toFixed(1)} s (speed-up ${(wall1 / wall2).toFixed(2)}×) |`);
  console.log(`| overhead per job (1 / 2 threads) | ${result.overheadMsPerJob.threads1.toFixed(2)} / ${result.overheadMsPerJob.threads2.toFixed(2)} ms ` +
    `(${(100 * result.overheadShare.threads1).toFixed(1)}% / ${(100 * result.overheadShare.threads2).toFixed(1)}% of thread time) |`);
  console.log("wrote bench/results/sweep-scaling.json");
}

function processBench(): void {
  const cli = (args: string[]): number => {
    const t0 = performance.now();
    execFileSync(process.execPath, ["bin/kvsim.js", ...args], { stdio: "ignore" });
    return performance.now() - t0;
  };
  const khlOut = mkdtempSync(join(tmpdir(), "kvsim-bench-khl-"));
  const processMs = { noCharts: [] as number[], withCharts: [] as number[] };
  for (let r = 0; r < Math.max(REPEAT, 3) * 2 + 1; r++) {
    processMs.noCharts.push(cli(["sweep", "--preset", "khl-default", "--out", khlOut, "--no-charts"]));
  }
  for (let r = 0; r < Math.max(REPEAT, 3); r++) processMs.withCharts.push(cli(["sweep", "--preset", "khl-default", "--out", khlOut]));
  const khlNoCharts = median(processMs.noCharts);
  const khlCharts = median(processMs.withCharts);
  const result = {
    date: new Date().toISOString(), node: process.version,
    secondsNoCharts: khlNoCharts / 1000, secondsWithCharts: khlCharts / 1000, kvHierarchyLabSeconds: KHL_PYTHON_SECONDS,
    speedupNoCharts: KHL_PYTHON_SECONDS / (khlNoCharts / 1000), speedupWithCharts: KHL_PYTHON_SECONDS / (khlCharts / 1000),
    runs: { noCharts: processMs.noCharts.length, withCharts: processMs.withCharts.length },
    allSecondsNoCharts: processMs.noCharts.map((ms) => ms / 1000),
  };
  writeFileSync("bench/results/sweep-process.json", JSON.stringify(result, null, 2) + "\n");
  header();
  console.log(`| \`kvsim sweep --preset khl-default --no-charts\`, whole process | ${(khlNoCharts / 1000).toFixed(2)} s (${result.speedupNoCharts.toFixed(1)}× faster than 3.63 s) |`);
  console.log(`| same with the five SVG charts | ${(khlCharts / 1000).toFixed(2)} s (${result.speedupWithCharts.toFixed(1)}×) |`);
  console.log("wrote bench/results/sweep-process.json");
}

if (ONLY !== "process") await scalingBench();
if (ONLY !== "scaling") processBench();
