/**
 * `npm run bench:serving-sim`: the timed serving simulator against Vidur on Vidur's own case — the
 * 2,000-request Splitwise conversation sample at 4.5 QPS, Llama-2-7B on an A100, Vidur's vLLM
 * scheduler and its reference timing tables, which Vidur simulates in 8.1 s on this machine (whole
 * process, trained models cached). Reports, as medians of several runs:
 *
 * - the simulation alone (`summary.simulationMs`: feeding the engine, its scheduling loop, draining
 *   its rows into results) for each scheduler and time model, with requests/s and iterations/s, and
 *   the TypeScript reference schedulers' time for the same run;
 * - the whole `kvsim serving simulate` process (node start, trace and tables read, summary printed);
 * - one million synthetic requests (examples/million.json) streamed through the CLI with `--out`,
 *   wall time and peak memory, in a child process of its own;
 * - Mooncake's synthetic trace (3,993 requests, 512-token blocks) on a GPU of 1,000 blocks, alone,
 *   with a host tier of 20,000 blocks below it (issue 30's target: ≤ 50 ms with the tier), and with
 *   a disk tier of 100,000 blocks (NVMe, the default link) below that;
 * - 8 instances behind each router, 100,000 chat requests with sessions (issue 30's target for
 *   kv-aware: ≤ 10 s), three runs each.
 *
 * Writes bench/results/serving-sim.json.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gpuPreset } from "../src/timed/gpus.js";
import { modelPreset } from "../src/timed/models.js";
import { readProfileTables } from "../src/timed/profile-tables.js";
import { readRequestsCsv } from "../src/timed/requests.js";
import { readServingTrace } from "../src/timed/trace-formats.js";
import { simulateFleet } from "../src/timed/fleet.js";
import { ROUTER_NAMES } from "../src/timed/routers/registry.js";
import { syntheticRequests } from "../src/timed/workloads.js";
import { simulateServing, type SchedulerName, type SimulateServingOptions } from "../src/timed/simulate.js";
import { median } from "./median.js";

const ROUNDS = 15;
const CLI_ROUNDS = 5;
const VIDUR_S = 8.1;
const TRACE = "tests/fixtures/vidur/splitwise_conv2000_q4.5_requests_in.csv";
const TABLES = "tests/fixtures/vidur/predictor_tables";

const requests = readRequestsCsv(TRACE);
const model = modelPreset("llama-2-7b");
const gpu = gpuPreset("a100-80gb");
const tables = readProfileTables(TABLES);

const cases: [string, SchedulerName, Partial<SimulateServingOptions>][] = [
  ["vidur-vllm, profile tables (Vidur's own run)", "vidur-vllm", { timeModel: tables }],
  ["sarathi, profile tables", "sarathi", { timeModel: tables }],
  ["vllm, roofline (the default)", "vllm", {}],
];
const simulation: Record<string, object> = {};
for (const [name, scheduler, extra] of cases) {
  const options: SimulateServingOptions = { requests, model, gpu, scheduler, ...extra };
  simulateServing(options); // warm-up
  const runs = Array.from({ length: ROUNDS }, () => simulateServing(options));
  const ms = median(runs.map((r) => r.summary.simulationMs));
  const iterations = runs[0]!.iterations.length;
  const referenceMs = median(Array.from({ length: 3 }, () => simulateServing({ ...options, reference: true }).summary.simulationMs));
  simulation[name] = {
    simulationMs: ms, requestsPerS: requests.length / (ms / 1000), iterations, iterationsPerS: iterations / (ms / 1000),
    referenceMs, speedupOverReference: referenceMs / ms, vidurRatio: (VIDUR_S * 1000) / ms,
  };
  console.log(`${name}: ${ms.toFixed(1)} ms (${(requests.length / (ms / 1000) / 1000).toFixed(0)}K requests/s, ${(iterations / (ms / 1000) / 1000).toFixed(0)}K iterations/s; ` +
    `TypeScript reference ${referenceMs.toFixed(0)} ms; Vidur's 8.1 s is ${((VIDUR_S * 1000) / ms).toFixed(0)}×)`);
}

// KV tiers on a real trace: the GPU alone, then with the host tier the offloaded prefixes come back from.
const mooncake = readServingTrace("tests/fixtures/mooncake/synthetic_trace.jsonl");
const tiers: Record<string, object> = {};
const tierCases: [string, SimulateServingOptions["hostTier"]][] = [
  ["GPU 1,000 blocks", undefined], ["GPU 1,000 + host 20,000 blocks", { blocks: 20_000 }],
  ["GPU 1,000 + host 20,000 + disk 100,000 blocks", { blocks: 20_000, disk: { blocks: 100_000 } }],
];
for (const [name, hostTier] of tierCases) {
  const options: SimulateServingOptions = { requests: mooncake, model: modelPreset("llama-3-8b"), gpu: gpuPreset("h100-sxm"), kvBlocks: 1000, blockSize: 512, maxNumSeqs: 8, hostTier };
  simulateServing(options);
  const runs = Array.from({ length: ROUNDS }, () => simulateServing(options).summary);
  const ms = median(runs.map((s) => s.simulationMs));
  const s = runs[0]!;
  tiers[name] = { simulationMs: ms, gpuHitTokens: s.prefixHitTokens, hostHitTokens: s.hostTier?.hitTokens ?? 0, diskHitTokens: s.tokens.diskHit, ttftP50S: s.ttft.p50 };
  console.log(`Mooncake's trace, ${name}: ${ms.toFixed(1)} ms (hit tokens: GPU ${s.prefixHitTokens}, host ${s.hostTier?.hitTokens ?? 0}, disk ${s.tokens.diskHit}; simulated TTFT p50 ${s.ttft.p50.toFixed(0)} s)`);
}

// A fleet: 8 instances of Llama-3-8B on an H100, 100,000 requests of multi-turn chat at 40 QPS.
const chat = syntheticRequests({
  requests: 100_000, arrivals: { kind: "poisson", qps: 40 }, prompt: { kind: "uniform", min: 100, max: 2000 }, output: { kind: "uniform", min: 1, max: 64 },
  sessions: { turns: { kind: "uniform", min: 1, max: 8 }, thinkTimeS: 5, systemPromptTokens: 1000 },
}, 1);
const fleets: Record<string, object> = {};
for (const router of ROUTER_NAMES) {
  const runs = Array.from({ length: 3 }, () => simulateFleet({ requests: chat, model: modelPreset("llama-3-8b"), gpu: gpuPreset("h100-sxm"), kvBlocks: 3000, instances: 8, router }).fleet);
  const ms = median(runs.map((s) => s.simulationMs));
  fleets[router] = { simulationMs: ms, ttftP50S: runs[0]!.ttft.p50, ttftP99S: runs[0]!.ttft.p99, prefixHitTokens: runs[0]!.prefixHitTokens };
  console.log(`8 instances, 100,000 chat requests, ${router}: ${(ms / 1000).toFixed(2)} s (simulated TTFT p50 ${runs[0]!.ttft.p50.toFixed(3)} s, p99 ${runs[0]!.ttft.p99.toFixed(3)} s)`);
}

/** Wall time of a CLI run, s, and what it printed. */
function cli(args: string[]): { s: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ["bin/kvsim.js", ...args], { encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`kvsim ${args.join(" ")} failed: ${r.stderr}`);
  return { s: (performance.now() - t0) / 1000, stdout: r.stdout };
}

const base = ["serving", "simulate", "--trace", TRACE, "--model", "llama-2-7b", "--gpu", "a100-80gb", "--json"];
const commands: Record<string, string[]> = {
  "vidur-vllm, profile tables": [...base, "--scheduler", "vidur-vllm", "--time-model", TABLES],
  "vllm, roofline": base,
};
const process_: Record<string, number> = {};
for (const [name, args] of Object.entries(commands)) {
  cli(args);
  process_[name] = median(Array.from({ length: CLI_ROUNDS }, () => cli(args).s));
  console.log(`kvsim serving simulate (${name}), whole process: ${process_[name]!.toFixed(2)} s`);
}

// One million requests through the CLI, rows streamed to --out; the child reports its own peak memory.
const out = mkdtempSync(join(tmpdir(), "kvsim-million-"));
let million: object;
try {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", `
    const { main } = await import(${JSON.stringify(new URL("../src/cli/main.js", import.meta.url).href)});
    const { peakRssBytes } = await import(${JSON.stringify(new URL("./peak-rss.js", import.meta.url).href)});
    const code = await main(${JSON.stringify(["serving", "simulate", "--workload", "examples/million.json", "--model", "llama-2-7b", "--gpu", "a100-80gb", "--out", out, "--json"])});
    process.stderr.write(JSON.stringify({ code, maxRssMB: peakRssBytes() / 2 ** 20 }) + "\\n");
  `], { encoding: "utf8", maxBuffer: 1 << 26 });
  const wallS = (performance.now() - t0) / 1000;
  const report = JSON.parse(r.stderr.trim().split("\n").pop()!) as { code: number; maxRssMB: number };
  if (report.code !== 0) throw new Error(`the million-request run failed: ${r.stderr}`);
  const summary = JSON.parse(r.stdout) as { requests: number; iterations: number; simulationMs: number };
  million = { requests: summary.requests, iterations: summary.iterations, simulationS: summary.simulationMs / 1000, wallS, maxRssMB: report.maxRssMB };
  console.log(`1,000,000 synthetic requests (examples/million.json) with --out: ${wallS.toFixed(1)} s whole process ` +
    `(simulation ${(summary.simulationMs / 1000).toFixed(1)} s, ${summary.iterations} iterations), peak memory ${report.maxRssMB.toFixed(0)} MB`);
} finally {
  rmSync(out, { recursive: true, force: true });
}

writeFileSync("bench/results/serving-sim.json", `${JSON.stringify({
  date: new Date().toISOString(), node: process.version, rounds: ROUNDS, vidurSeconds: VIDUR_S, simulation, tiers, fleets, wholeProcessS: process_, million,
}, null, 2)}\n`);
