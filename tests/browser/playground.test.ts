import fastifyStatic from "@fastify/static";
import Fastify, { type FastifyInstance } from "fastify";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeAgent } from "../../src/agents/registry.js";
import { runEpisode } from "../../src/agents/agent.js";
import { makeDiscrete } from "../../src/envs/registry.js";
import { parseTraceFile } from "../../src/browser/trace-files.js";
import { missRatioCurves } from "../../src/mrc/miss-ratio-curves.js";
import { SCENARIO_PRESETS } from "../../src/hierarchy/presets.js";
import { packageRoot } from "../../src/package-info.js";
import { buildServer } from "../../src/server/app.js";
import { simulate } from "../../src/simulate.js";
import { originOf, planSweep } from "../../src/sweep/plan-files.js";
import { runSweep } from "../../src/sweep/run-sweep.js";
import { readSweepSpec, type SweepSpecInput } from "../../src/sweep/spec.js";
import { generateWorkload } from "../../src/workloads/registry.js";
import { gpuPreset } from "../../src/timed/gpus.js";
import { modelPreset } from "../../src/timed/models.js";
import { simulateServing } from "../../src/timed/simulate.js";
import { readProfileTables } from "../../src/timed/profile-tables.js";
import { planServingSweep } from "../../src/timed/sweep/plan-files.js";
import { runServingSweep } from "../../src/timed/sweep/run.js";
import { parseServingSweepSpec } from "../../src/timed/sweep/spec.js";
import { syntheticRequests } from "../../src/timed/workloads.js";
import { runCli } from "../helpers/cli.js";
import { launchChromium } from "../../bench/chromium.js";

const traceFixture = join(packageRoot(), "tests", "fixtures", "traces", "rag-burst.csv");
const spec: SweepSpecInput = {
  name: "browser-parity",
  profile: "kvsim",
  scenarios: ["small_fp16_prefetch", "constrained"],
  workloads: [{ name: "zipf", params: { pages: 500, length: 20000 } }, "rag_burst", { trace: "rag-burst.csv" }],
  policies: ["lru", "random", "s3fifo", "predictive"],
  seeds: [1, 2],
};

let server: FastifyInstance;
let browser: Browser;
let page: Page;
let url: string;
const pageErrors: string[] = [];
const work = mkdtempSync(join(tmpdir(), "kvsim-browser-"));

/** What `kvsim sweep SPEC --threads 1 --no-charts` writes for a spec saved as `work/<name>.json` (trace paths relative to `work`). */
async function nodeSweepFiles(name: string, sweep: SweepSpecInput): Promise<Record<string, string>> {
  const specFile = join(work, `${name}.json`);
  writeFileSync(specFile, JSON.stringify(sweep));
  const out = join(work, `${name}-out`);
  await runSweep(await planSweep(readSweepSpec(specFile), originOf(specFile)), { outDir: out, threads: 1, charts: false });
  return Object.fromEntries(["results.jsonl", "results.csv", "summary.csv"].map((f) => [f, readFileSync(join(out, f), "utf8")]));
}

async function playEpisode(env: string, agent: string, seed: number, mode: "local" | "server", weights?: string) {
  await page.click("button[data-tab=episode]");
  await page.selectOption("#env-id", env);
  await page.selectOption("#agent", agent);
  if (weights) await page.setInputFiles("#agent-weights", weights);
  await page.fill("#episode-seed", String(seed));
  await page.selectOption("#episode-mode", mode);
  await page.fill("#episode-speed", "100000");
  await page.click("#episode-reset");
  await page.waitForSelector("body[data-episode=ready]");
  await page.click("#episode-play");
  await page.waitForSelector("body[data-episode=done]", { timeout: 60_000 });
  return page.evaluate(() => {
    const e = (window as unknown as { kvsimPlayground: { lastEpisode: { steps: unknown[]; return: number; terminated: boolean; truncated: boolean; mode: string } } }).kvsimPlayground.lastEpisode;
    return { steps: e.steps.length, return: e.return, terminated: e.terminated, truncated: e.truncated, mode: e.mode };
  });
}

/** The axis titles and legend labels Vega drew in each episode chart, once each shows every step of the last episode. */
async function episodeCharts(): Promise<Record<string, { axes: string[]; legend: string[] }>> {
  const ids = ["util-chart", "queue-chart", "reward-chart"];
  await page.waitForFunction((ids) => ids.every((id) => document.getElementById(id)!.dataset.steps
    === String((window as unknown as { kvsimPlayground: { lastEpisode: { steps: unknown[] } } }).kvsimPlayground.lastEpisode.steps.length)), ids);
  return page.evaluate((ids) => Object.fromEntries(ids.map((id) => {
    const texts = (role: string) => [...document.querySelectorAll(`#${id} .role-${role} text`)].map((t) => t.textContent);
    return [id, { axes: texts("axis-title"), legend: texts("legend-label") }];
  })), ids);
}

beforeAll(async () => {
  server = await buildServer({ maxSessions: 8 });
  url = await server.listen({ host: "127.0.0.1", port: 0 });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on("pageerror", (err) => pageErrors.push(err.message));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

describe("the playground in Chromium", () => {
  it("loads from kvsim serve at / and compiles the engine", async () => {
    await page.goto(`${url}/`);
    await page.waitForSelector("body[data-ready]");
    expect(await page.getAttribute("body", "data-ready")).toBe("true");
    expect(await page.textContent("#engine-status")).toBe("engine ready");
    expect(pageErrors).toEqual([]);
    // Before any sweep there is nothing to export (issue 29: the row showed, its class's flex over hidden).
    await page.click("button[data-tab=sweep]");
    expect(await page.isHidden("#sweep-exports")).toBe(true);
  });

  it("refuses an episode seed it would otherwise coerce (-5 played seed 0)", async () => {
    await page.click("button[data-tab=episode]");
    for (const seed of ["-5", "1.5", ""]) {
      await page.fill("#episode-seed", seed);
      await page.click("#episode-reset");
      await page.waitForSelector("#episode-error:not([hidden])");
      expect(await page.textContent("#episode-error"), seed).toMatch(/seed: an integer from 0 to 4294967295/);
    }
    await page.click("button[data-tab=sweep]");
  });

  it("runs a sweep on Web Workers whose artifacts equal the Node run byte for byte", async () => {
    await page.setInputFiles("#trace-input", traceFixture);
    await page.waitForFunction(() => document.querySelector("#dropped-list")?.textContent?.includes("rag-burst.csv: 320 accesses"));
    await page.fill("#workers", "2");
    await page.fill("#spec", JSON.stringify(spec, null, 2));
    await page.click("#run-sweep");
    await page.waitForSelector("body[data-sweep=done]", { timeout: 60_000 });
    expect(await page.textContent("#sweep-status")).toMatch(/^complete: 48 runs on 2 workers/);
    const browserFiles = await page.evaluate(() => (window as unknown as { kvsimPlayground: { lastSweep: { files: Record<string, string> } } }).kvsimPlayground.lastSweep.files);
    copyFileSync(traceFixture, join(work, "rag-burst.csv"));
    const nodeFiles = await nodeSweepFiles("parity", spec);
    for (const name of Object.keys(nodeFiles)) expect(browserFiles[name], name).toBe(nodeFiles[name]);
    // The page also drew the charts and the occupancy of the first row.
    await page.waitForSelector("#occupancy-chart img");
    expect(await page.locator("#sweep-charts img").count()).toBeGreaterThanOrEqual(4);
  });

  it("plays episodes in the page and over the server's WebSocket with the results of the in-process env", async () => {
    const local = await playEpisode("kvsim/Serving-easy-v0", "random", 3, "local");
    const env = makeDiscrete("kvsim/Serving-easy-v0");
    const expected = runEpisode(env, makeAgent("random", env), 3);
    expect(local).toEqual({ ...expected, mode: "local" });
    // Each chart titles its axes with units; the two with two lines name them in a legend.
    expect(await episodeCharts()).toEqual({
      "util-chart": { axes: ["step", "KV blocks in use (%)"], legend: ["GPU utilization", "CPU utilization"] },
      "queue-chart": { axes: ["step", "queued (% of queue capacity)"], legend: ["Free queue", "VIP queue"] },
      "reward-chart": { axes: ["step", "cumulative reward"], legend: [] },
    });

    const remote = await playEpisode("kvsim/Serving-npa-medium-v0", "npa-lru", 5, "server");
    const npa = makeDiscrete("kvsim/Serving-npa-medium-v0");
    expect(remote).toEqual({ ...runEpisode(npa, makeAgent("npa-lru", npa), 5), mode: "server" });
    expect(await page.textContent("#episode-status")).toContain("episode over");
    // NeuralPagedAttention's queues count requests.
    expect((await episodeCharts())["queue-chart"]).toEqual({ axes: ["step", "queued requests"], legend: ["Free queue", "VIP queue"] });
    expect(pageErrors).toEqual([]);
  });

  it("plays a trained agent from a weights file picked in the page", async () => {
    const weights = join(work, "q.json");
    expect((await runCli(["train", "--agent", "qlearning", "--env", "kvsim/Serving-npa-easy-v0", "--steps", "3000", "--out", weights])).code).toBe(0);
    const played = await playEpisode("kvsim/Serving-npa-easy-v0", "qlearning", 2, "local", weights);
    const env = makeDiscrete("kvsim/Serving-npa-easy-v0");
    expect(played).toEqual({ ...runEpisode(env, makeAgent("qlearning", env, { weights }), 2), mode: "local" });
  });

  it("shows a bad spec's error naming the field, and runs again after it is fixed", async () => {
    await page.click("button[data-tab=sweep]");
    await page.fill("#spec", JSON.stringify({ ...spec, workloads: ["zipf"], policies: ["lru", "no_such_policy"] }));
    await page.click("#run-sweep");
    await page.waitForSelector("#sweep-error:not([hidden])");
    expect(await page.textContent("#sweep-error")).toMatch(/spec: policies\.1: unknown policy "no_such_policy"/);
    await page.fill("#spec", "{ not json");
    await page.click("#run-sweep");
    await page.waitForFunction(() => document.querySelector("#sweep-error")?.textContent?.startsWith("spec: not valid JSON"));
    await page.fill("#spec", JSON.stringify({ ...spec, workloads: ["zipf"], policies: ["lru"], seeds: [1] }));
    await page.click("#run-sweep");
    await page.waitForFunction(() => document.querySelector("#sweep-status")?.textContent?.startsWith("complete: 2 runs"));
    expect(await page.isHidden("#sweep-error")).toBe(true);
    expect(await page.isVisible("#sweep-exports")).toBe(true);
    // A run that then fails takes the previous results and their Export off the page (issue 29).
    await page.fill("#spec", JSON.stringify({ ...spec, workloads: ["zipf"], policies: ["no_such_policy"] }));
    await page.click("#run-sweep");
    await page.waitForSelector("#sweep-error:not([hidden])");
    expect(await page.isHidden("#sweep-exports")).toBe(true);
    expect(await page.$$eval("#sweep-charts figure", (f) => f.length)).toBe(0);
  });

  it("takes a screenshot of the page", async () => {
    const file = join(work, "playground.png");
    await page.screenshot({ path: file, fullPage: true });
    const png = readFileSync(file);
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    expect(statSync(file).size).toBeGreaterThan(20_000);
  });
});

describe("kvsim/browser without a bundler (dist/browser)", () => {
  let files: FastifyInstance;

  beforeAll(async () => {
    files = Fastify();
    await files.register(fastifyStatic, { root: packageRoot(), prefix: "/" });
    await files.listen({ host: "127.0.0.1", port: 0 });
  });
  afterAll(() => files.close());

  /** embed.html, with the whole module on window.kvsimModule for the calls a test makes itself. */
  async function openEmbedPage(): Promise<Page> {
    const embed = await browser.newPage();
    const address = files.server.address() as { port: number };
    await embed.goto(`http://127.0.0.1:${address.port}/tests/browser/embed.html`);
    // A string, so that vitest's transform leaves this dynamic import for the page to run.
    await embed.evaluate("import('/dist/browser/kvsim.js').then((m) => { window.kvsimModule = m; })");
    return embed;
  }

  it("simulates and sweeps in a plain ES-module page exactly as Node does", async () => {
    const embed = await browser.newPage();
    const errors: string[] = [];
    embed.on("pageerror", (err) => errors.push(err.message));
    const address = files.server.address() as { port: number };
    await embed.goto(`http://127.0.0.1:${address.port}/tests/browser/embed.html`);
    await embed.waitForFunction(() => "embedResult" in window, undefined, { timeout: 30_000 });
    const inPage = await embed.evaluate(() => (window as unknown as { embedResult: { metrics: unknown; demoResults: string } }).embedResult);
    const trace = generateWorkload("zipf", { pages: 2000, length: 50000, seed: 7 });
    expect(inPage.metrics).toEqual(simulate({ scenario: SCENARIO_PRESETS.medium!, trace, policy: "s3fifo" }).metrics);
    const demo = await nodeSweepFiles("demo", { name: "demo", scenarios: ["medium"], workloads: ["zipf"], policies: ["lru", "sieve"], seeds: [1, 2] });
    expect(inPage.demoResults).toBe(demo["results.jsonl"]);

    const generatedOnly = { ...spec, workloads: spec.workloads.slice(0, 2) };
    const jsonl = await embed.evaluate((s) => (window as unknown as { embedSweep(s: unknown): Promise<string> }).embedSweep(s), generatedOnly);
    expect(jsonl).toBe((await nodeSweepFiles("generated", generatedOnly))["results.jsonl"]);
    expect(errors).toEqual([]);
    await embed.close();
  });

  it("honours a spec's trace format and names the workload by the file's base name, as Node does", async () => {
    const embed = await openEmbedPage();
    const renamed = { name: "renamed", scenarios: ["small_fp16_prefetch"], workloads: [{ trace: "sub/rag.txt", format: "csv" as const }], policies: ["lru", "sieve"] };
    const csv = [...readFileSync(traceFixture)];
    const jsonl = await embed.evaluate(async ({ spec, bytes }) => {
      const k = (window as unknown as { kvsimModule: typeof import("../../src/browser/index.js") }).kvsimModule;
      const outcome = await k.runSweep(spec, { workers: 1, charts: false, files: { "sub/rag.txt": new Uint8Array(bytes) } });
      return outcome.files["results.jsonl"];
    }, { spec: renamed, bytes: csv });
    mkdirSync(join(work, "sub"), { recursive: true });
    copyFileSync(traceFixture, join(work, "sub", "rag.txt"));
    expect(jsonl).toBe((await nodeSweepFiles("renamed", renamed))["results.jsonl"]);
    expect(jsonl).toContain('"workload":"rag.txt"');
    await embed.close();
  });

  it("makes the miss-ratio curves Node makes, LRU's one pass and the replays on workers", async () => {
    const embed = await openEmbedPage();
    const options = { policies: ["lru", "fifo", "s3fifo"], sizes: "5%,20%,60%", ignoreObjectSize: true };
    const inPage = await embed.evaluate(async ({ bytes, options }) => {
      const k = (window as unknown as { kvsimModule: typeof import("../../src/browser/index.js") }).kvsimModule;
      const [trace] = k.parseTraceFile(new Uint8Array(bytes), "rag-burst.csv");
      return k.missRatioCurves({ ...options, trace: trace!, threads: 2 });
    }, { bytes: [...readFileSync(traceFixture)], options });
    const [trace] = parseTraceFile(readFileSync(traceFixture), "rag-burst.csv");
    expect(inPage).toEqual(await missRatioCurves({ ...options, trace: trace! }));
    expect(inPage.curves.map((c) => c.method)).toEqual(["stack-distances", "replays", "replays"]);
    await embed.close();
  });

  it("fails the rows of workers that cannot start, stops on an aborted signal, runs without workers, replays a row, and rejects a bad worker count", async () => {
    const embed = await openEmbedPage();
    const small = { name: "small", scenarios: ["small_fp16_prefetch"], workloads: ["rag_burst"], policies: ["lru", "fifo", "sieve"] };
    const r = await embed.evaluate(async (spec) => {
      const k = (window as unknown as { kvsimModule: typeof import("../../src/browser/index.js") }).kvsimModule;
      const broken = await k.runSweep(spec, { workers: 2, charts: false, spawnWorker: () => new Worker("/no-such-worker.js", { type: "module" }) });
      const controller = new AbortController();
      controller.abort();
      const aborted = await k.runSweep(spec, { workers: 2, charts: false, signal: controller.signal });
      const inline = await k.runSweep(spec, { workers: 0, charts: false });
      const withWorkers = await k.runSweep(spec, { workers: 2, charts: false });
      const bad = await k.runSweep(spec, { workers: -1 }).then(() => "accepted", (err: Error) => err.message);
      return {
        broken: { status: broken.status, failures: broken.failures.map((f) => f.error) },
        aborted: { status: aborted.status, results: aborted.results.length, files: Object.keys(aborted.files) },
        inlineEqualsWorkers: inline.files["results.jsonl"] === withWorkers.files["results.jsonl"] && inline.results.length === 3,
        replayed: k.replaySweepRow(withWorkers.plan, 2, { eventCapacity: 10 }),
        swept: withWorkers.results[2]!.metrics,
        bad,
      };
    }, small);
    expect(r.broken.status).toBe("failed");
    expect(r.broken.failures).toHaveLength(3);
    for (const e of r.broken.failures) expect(e).toMatch(/^worker failed: (sweep worker failed|no sweep worker is left)/);
    expect(r.aborted).toEqual({ status: "interrupted", results: 0, files: [] });
    expect(r.inlineEqualsWorkers).toBe(true);
    expect(r.replayed.metrics).toEqual(r.swept);
    expect(r.replayed.events).toHaveLength(10);
    expect(r.bad).toMatch(/^workers: expected a whole number ≥ 0, got -1/);
    await embed.close();
  });

  it("simulates and sweeps serving in the page byte for byte as Node does, on every scheduler and on Vidur's tables given as files", async () => {
    const embed = await openEmbedPage();
    const workload = {
      requests: 300, arrivals: { kind: "poisson" as const, qps: 20 }, prompt: { kind: "uniform" as const, min: 1, max: 900 },
      output: { kind: "uniform" as const, min: 1, max: 200 },
      sessions: { turns: { kind: "uniform" as const, min: 1, max: 4 }, thinkTimeS: 0.5, systemPromptTokens: 200 },
    };
    const cases = [{ scheduler: "vllm", kvBlocks: 600 }, { scheduler: "vidur-vllm" }, { scheduler: "sarathi", tensorParallel: 2 }] as const;
    const inPage = await embed.evaluate(async ({ workload, cases }) => {
      const k = (window as unknown as { kvsimModule: typeof import("../../src/browser/index.js") }).kvsimModule;
      const requests = k.syntheticRequests(workload, 4);
      const out: string[] = [];
      for (const c of cases) {
        const sim = await k.simulateServing({ requests, model: k.modelPreset("llama-3-8b"), gpu: k.gpuPreset("h100-sxm"), ...c });
        out.push(JSON.stringify({ ...sim, summary: { ...sim.summary, simulationMs: 0 } }));
      }
      return out;
    }, { workload, cases });
    const requests = syntheticRequests(workload, 4);
    cases.forEach((c, i) => {
      const sim = simulateServing({ requests, model: modelPreset("llama-3-8b"), gpu: gpuPreset("h100-sxm"), ...c });
      expect(inPage[i], c.scheduler).toBe(JSON.stringify({ ...sim, summary: { ...sim.summary, simulationMs: 0 } }));
    });
    // Vidur's tables, given to the page as files, time Vidur's scheduler as they do in Node.
    const dir = join(packageRoot(), "tests", "fixtures", "vidur", "predictor_tables");
    const tableFiles = Object.fromEntries(readdirSync(dir).filter((f) => f.endsWith(".gz")).map((f) => [f, [...readFileSync(join(dir, f))]]));
    const profiled = await embed.evaluate(async ({ workload, tableFiles }) => {
      const k = (window as unknown as { kvsimModule: typeof import("../../src/browser/index.js") }).kvsimModule;
      const tables = await k.parseProfileTableFiles(Object.fromEntries(Object.entries(tableFiles).map(([f, b]) => [f, new Uint8Array(b)])));
      const sim = await k.simulateServing({ requests: k.syntheticRequests(workload, 4), model: k.modelPreset("llama-2-7b"), gpu: k.gpuPreset("a100-80gb"), scheduler: "vidur-vllm", timeModel: tables });
      return JSON.stringify({ ...sim, summary: { ...sim.summary, simulationMs: 0 } });
    }, { workload, tableFiles });
    const node = simulateServing({ requests, model: modelPreset("llama-2-7b"), gpu: gpuPreset("a100-80gb"), scheduler: "vidur-vllm", timeModel: readProfileTables(dir) });
    expect(profiled).toBe(JSON.stringify({ ...node, summary: { ...node.summary, simulationMs: 0 } }));

    // A serving sweep, its trace and tables given as files, writes Node's artifacts.
    const sweepSpec = {
      name: "page", kind: "serving" as const, workloads: [{ spec: workload, label: "chat" }, { trace: "five.csv" }],
      deployments: [{ model: "llama-2-7b", gpu: "a100-80gb" }], schedulers: ["vidur-vllm" as const, "sarathi" as const],
      timeModel: "tables", qps: [2, 5], seeds: [1, 2],
    };
    const five = join(packageRoot(), "tests", "fixtures", "timed", "vidur-5.csv");
    const pageFiles = { "five.csv": [...readFileSync(five)], ...Object.fromEntries(Object.entries(tableFiles).map(([f, b]) => [`tables/${f}`, b])) };
    const swept = await embed.evaluate(async ({ sweepSpec, pageFiles }) => {
      const k = (window as unknown as { kvsimModule: typeof import("../../src/browser/index.js") }).kvsimModule;
      const outcome = await k.runServingSweep(sweepSpec, { files: Object.fromEntries(Object.entries(pageFiles).map(([f, b]) => [f, new Uint8Array(b)])) });
      return outcome.files;
    }, { sweepSpec, pageFiles });
    const sweepDir = join(work, "page-sweep");
    mkdirSync(sweepDir, { recursive: true });
    copyFileSync(five, join(sweepDir, "five.csv"));
    const specFile = join(sweepDir, "spec.json");
    writeFileSync(specFile, JSON.stringify({ ...sweepSpec, timeModel: dir }));
    await runServingSweep(await planServingSweep(parseServingSweepSpec(JSON.parse(readFileSync(specFile, "utf8")), specFile), originOf(specFile)), { outDir: join(sweepDir, "out"), threads: 1 });
    for (const f of ["results.jsonl", "results.csv", "summary.csv"]) expect(swept[f], f).toBe(readFileSync(join(sweepDir, "out", f), "utf8"));
    // The chart too, but a page measures its text with a canvas: the same data, other widths.
    expect(swept["latency-vs-qps.svg"]).toMatch(/^<svg[\s\S]*simulated[\s\S]*<\/svg>$/);
    await embed.close();
  });
});
