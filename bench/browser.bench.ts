/**
 * `npm run bench:browser`: WASM replay speed in headless Chromium (the self-contained
 * dist/browser build, as a page loads it) beside Node, on the same trace, scenario and policies.
 * Runs alternate between the two so that the machine's noise hits both alike; each figure is the
 * median replay-only rate (the engine's own timer, setup and trace copy excluded). Also checks
 * that both give identical metrics. Writes bench/results/browser.json.
 */
import fastifyStatic from "@fastify/static";
import Fastify from "fastify";
import { writeFileSync } from "node:fs";
import { packageRoot } from "../src/package-info.js";
import { simulate, type Metrics } from "../src/simulate.js";
import { generateWorkload } from "../src/workloads/registry.js";
import { launchChromium } from "./chromium.js";
import { median } from "./median.js";
import { ZIPF_BENCH_SCENARIO } from "./scenarios.js";

const RUNS = 7;
const WORKLOAD = { name: "zipf", params: { pages: 1_000_000, length: 4_000_000, alpha: 0.99, seed: 1 } };
const POLICIES = ["lru", "fifo", "sieve", "s3fifo"];

const server = Fastify();
await server.register(fastifyStatic, { root: packageRoot(), prefix: "/" });
const base = await server.listen({ host: "127.0.0.1", port: 0 });
const browser = await launchChromium();
const page = await browser.newPage();
await page.goto(`${base}/bench/browser.html`);
await page.waitForSelector("body[data-ready]", { state: "attached" });
const chromiumVersion = browser.version();

type Kvsim = typeof import("../src/browser/index.js");
type Window = { kvsim: Kvsim; benchTrace?: ReturnType<Kvsim["generateWorkload"]> };

const trace = generateWorkload(WORKLOAD.name, WORKLOAD.params);
const rows = [];
for (const policy of POLICIES) {
  const node: number[] = [];
  const chromium: number[] = [];
  let nodeMetrics: Metrics | undefined;
  let pageMetrics: Metrics | undefined;
  for (let run = 0; run < RUNS; run++) {
    const r = simulate({ scenario: ZIPF_BENCH_SCENARIO, trace, policy });
    node.push(trace.accesses.length / (r.replayMs / 1000));
    nodeMetrics = r.metrics;
    const p = await page.evaluate(({ scenario, workload, policy }) => {
      const w = window as unknown as Window;
      w.benchTrace ??= w.kvsim.generateWorkload(workload.name, workload.params);
      const result = w.kvsim.simulateSync({ scenario, trace: w.benchTrace, policy });
      return { replayMs: result.replayMs, metrics: result.metrics, accesses: w.benchTrace.accesses.length };
    }, { scenario: ZIPF_BENCH_SCENARIO, workload: WORKLOAD, policy });
    chromium.push(p.accesses / (p.replayMs / 1000));
    pageMetrics = p.metrics;
  }
  rows.push({
    policy, accesses: trace.accesses.length, runs: RUNS,
    nodeAccessesPerSecond: median(node), chromiumAccessesPerSecond: median(chromium),
    chromiumToNode: median(chromium) / median(node),
    identicalMetrics: JSON.stringify(nodeMetrics) === JSON.stringify(pageMetrics),
    hitRate: nodeMetrics!.hitRate,
  });
}
await browser.close();
await server.close();

writeFileSync("bench/results/browser.json", JSON.stringify({
  date: new Date().toISOString(), node: process.version, chromium: chromiumVersion, scenario: ZIPF_BENCH_SCENARIO.name, workload: WORKLOAD, rows,
}, null, 2) + "\n");
console.log(`Chromium ${chromiumVersion} vs Node ${process.version}, ${WORKLOAD.params.length / 1e6}M-access zipf(${WORKLOAD.params.alpha}) over ${WORKLOAD.params.pages / 1e6}M pages, ${ZIPF_BENCH_SCENARIO.name}, median of ${RUNS}`);
console.log("| policy | Node accesses/s | Chromium accesses/s | Chromium / Node | identical metrics |\n|---|---:|---:|---:|---|");
for (const r of rows) {
  console.log(`| ${r.policy} | ${(r.nodeAccessesPerSecond / 1e6).toFixed(2)}M | ${(r.chromiumAccessesPerSecond / 1e6).toFixed(2)}M | ${r.chromiumToNode.toFixed(2)} | ${r.identicalMetrics} |`);
}
if (rows.some((r) => !r.identicalMetrics)) process.exitCode = 1;
