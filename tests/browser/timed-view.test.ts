import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageRoot } from "../../src/package-info.js";
import { atQps } from "../../src/timed/capacity.js";
import { gpuPreset } from "../../src/timed/gpus.js";
import { modelPreset } from "../../src/timed/models.js";
import { simulateServing, type ServingSummary, type SimulateServingOptions } from "../../src/timed/simulate.js";
import { parseServingTrace } from "../../src/timed/trace-formats.js";
import { syntheticRequests, type SyntheticWorkloadInput } from "../../src/timed/workloads.js";
import { runCli } from "../helpers/cli.js";
import { openPlayground, type PlaygroundPage } from "../helpers/playground-page.js";

const root = packageRoot();
const EXAMPLE = join(root, "examples", "chat-sessions.json");
const fixture = (name: string): string => join(root, "tests", "fixtures", "timed", name);

let playground: PlaygroundPage;
let page: Page;
let pageErrors: string[] = [];

/** A summary as byte-compared JSON: everything simulated, the measured wall time left out. */
const simulated = (s: ServingSummary): string => JSON.stringify({ ...s, simulationMs: 0 });

/** The same, from the JSON `kvsim serving simulate --json` prints (its NaN already written as null). */
const simulatedCliJson = (stdout: string): string => JSON.stringify({ ...JSON.parse(stdout), simulationMs: 0 });

/** Sets the timed form's fields (by id, without the `timed-` prefix); an empty string clears one. */
async function fillForm(fields: Record<string, string>): Promise<void> {
  for (const [id, value] of Object.entries(fields)) {
    const selector = `#timed-${id}`;
    if (await page.$eval(selector, (el) => el.tagName === "SELECT")) await page.selectOption(selector, value);
    else await page.fill(selector, value);
  }
}

/** Clicks Run and waits for the run to end; returns its summary as byte-compared JSON, or undefined if it failed. */
async function runInPage(): Promise<string | undefined> {
  await page.evaluate(() => delete document.body.dataset.timed);
  await page.click("#run-timed");
  await page.waitForSelector("body[data-timed=done]", { timeout: 60_000 });
  return page.evaluate(() => {
    const last = (window as unknown as { kvsimPlayground: { lastTimed?: { summary: Record<string, unknown> } } }).kvsimPlayground.lastTimed;
    return last ? JSON.stringify({ ...last.summary, simulationMs: 0 }) : undefined;
  });
}

async function pickTrace(file: string | { name: string; mimeType: string; buffer: Buffer }): Promise<string> {
  await page.evaluate(() => delete document.body.dataset.timedTrace);
  await page.setInputFiles("#timed-trace-input", file);
  await page.waitForSelector("body[data-timed-trace=read]");
  return (await page.textContent("#timed-trace-info")) ?? "";
}

const errorText = async (): Promise<string> => {
  await page.waitForSelector("#timed-error:not([hidden])");
  return (await page.textContent("#timed-error")) ?? "";
};

/** The deployment every case below runs on, as the form's defaults give it. */
const deployment = { model: modelPreset("llama-3-8b"), gpu: gpuPreset("h100-sxm"), tensorParallel: 1, blockSize: 16, scheduler: "vllm" as const };

beforeAll(async () => {
  playground = await openPlayground("timed");
  page = playground.page;
  pageErrors = playground.pageErrors;
}, 60_000);

afterAll(async () => playground?.close());

describe("the playground's timed serving view in Chromium", () => {
  it("runs the built-in example with a host tier and SLOs to the summary `kvsim serving simulate` and simulateServing give in Node, and draws its charts", async () => {
    expect(await page.inputValue("#timed-workload")).toBe(readFileSync(EXAMPLE, "utf8"));
    expect(await page.textContent("#timed-planned")).toMatch(/^planned: [\d,]+ blocks$/);
    await fillForm({ "kv-blocks": "1500", "host-blocks": "3000", "host-link": "pcie5", offload: "write-through", eviction: "s3fifo", "slo-ttft": "500", "slo-tpot": "50", seed: "3" });
    const inPage = await runInPage();

    const options: Omit<SimulateServingOptions, "requests"> = {
      ...deployment, kvBlocks: 1500, eviction: "s3fifo", cacheModel: "vllm",
      hostTier: { blocks: 3000, link: "pcie5", offload: "write-through" }, slo: { ttftS: 0.5, tpotS: 0.05 },
    };
    const spec = JSON.parse(readFileSync(EXAMPLE, "utf8")) as SyntheticWorkloadInput;
    const node = simulateServing({ ...options, requests: syntheticRequests(spec, 3) }).summary;
    expect(node.hostTier!.loadedBlocks).toBeGreaterThan(0);
    expect(inPage).toBe(simulated(node));
    const cli = await runCli(["serving", "simulate", "--workload", EXAMPLE, "--seed", "3", "--model", "llama-3-8b", "--gpu", "h100-sxm", "--kv-blocks", "1500",
      "--eviction", "s3fifo", "--host-blocks", "3000", "--host-link", "pcie5", "--offload", "write-through", "--slo-ttft-ms", "500", "--slo-tpot-ms", "50", "--json"]);
    expect(cli.code).toBe(0);
    expect(inPage).toBe(simulatedCliJson(cli.stdout));

    // Every table says its figures are simulated; the charts are the CLI's four, host tier included.
    const captions = await page.$$eval("#timed-summary caption", (cs) => cs.map((c) => c.textContent ?? ""));
    expect(captions).toHaveLength(3);
    for (const caption of captions) expect(caption).toContain("simulated");
    expect(await page.textContent("#timed-summary")).toContain(`${node.hostTier!.loadedBlocks.toLocaleString("en-US")}`);
    await page.waitForSelector("#timed-charts figure img");
    expect(await page.$$eval("#timed-charts figure", (fs) => fs.map((f) => (f as HTMLElement).dataset.chart))).toEqual(["latency-cdf.svg", "kv-usage.svg", "batch-size.svg", "host-tier.svg"]);
    expect(await page.textContent("#timed-status")).toMatch(/^2,000 requests \(synthetic workload, seed 3\): simulated in \d+ ms, charts drawn in \d+ ms/);
    expect(pageErrors).toEqual([]);
  });

  it("runs a disk tier below the host tier to the summary simulateServing and the CLI give, with its table", async () => {
    await fillForm({ "kv-blocks": "1500", "host-blocks": "1000", "host-link": "pcie4", offload: "write-back", eviction: "lru", "disk-blocks": "6000", "disk-link": "nvme5", "slo-ttft": "", "slo-tpot": "", seed: "3" });
    const inPage = await runInPage();
    const spec = JSON.parse(readFileSync(EXAMPLE, "utf8")) as SyntheticWorkloadInput;
    const node = simulateServing({
      ...deployment, kvBlocks: 1500, eviction: "lru", cacheModel: "vllm", hostTier: { blocks: 1000, link: "pcie4", disk: { blocks: 6000, link: "nvme5" } }, slo: {},
      requests: syntheticRequests(spec, 3),
    }).summary;
    expect(node.diskTier!.loadedBlocks).toBeGreaterThan(0);
    expect(inPage).toBe(simulated(node));
    const cli = await runCli(["serving", "simulate", "--workload", EXAMPLE, "--seed", "3", "--model", "llama-3-8b", "--gpu", "h100-sxm", "--kv-blocks", "1500",
      "--host-blocks", "1000", "--disk-blocks", "6000", "--disk-link", "nvme5", "--json"]);
    expect(inPage).toBe(simulatedCliJson(cli.stdout));
    const captions = await page.$$eval("#timed-summary caption", (cs) => cs.map((c) => c.textContent ?? ""));
    expect(captions.at(-1)).toBe("Disk tier: 6,000 blocks, write-back, link 13.0 GB/s reads, 9.0 GB/s writes (simulated)");
    await fillForm({ "disk-blocks": "" });
  });

  it("runs uploaded traces of each format, detected from the file, as simulateServing does in Node; a QPS rescales a trace as a serving sweep does", async () => {
    await fillForm({ "kv-blocks": "", "host-blocks": "", eviction: "lru", "slo-ttft": "", "slo-tpot": "", scheduler: "sarathi" });
    const cases = [
      { file: "vidur-5.csv", info: "vidur-5.csv: 5 requests (vidur)", scheduler: "sarathi" as const },
      { file: "azure-5.csv", info: "azure-5.csv: 5 requests (azure)", scheduler: "vidur-vllm" as const },
      // Out of arrival order: the page runs it whole, as the CLI does, each request keeping its line's id.
      { file: "mooncake-5.jsonl", info: "mooncake-5.jsonl: 5 requests (mooncake)", scheduler: "vllm" as const },
    ];
    for (const c of cases) {
      expect(await pickTrace(fixture(c.file))).toBe(c.info);
      await fillForm({ scheduler: c.scheduler });
      const requests = parseServingTrace(readFileSync(fixture(c.file), "utf8"), c.file);
      const node = simulateServing({ ...deployment, scheduler: c.scheduler, slo: {}, ...(c.scheduler === "vllm" ? { eviction: "lru", cacheModel: "vllm" as const } : {}), requests });
      expect(await runInPage(), c.file).toBe(simulated(node.summary));
    }
    const cli = await runCli(["serving", "simulate", "--trace", fixture("mooncake-5.jsonl"), "--model", "llama-3-8b", "--gpu", "h100-sxm", "--json"]);
    expect(await runInPage()).toBe(simulatedCliJson(cli.stdout));

    await fillForm({ qps: "2" });
    const requests = atQps(parseServingTrace(readFileSync(fixture("mooncake-5.jsonl"), "utf8"), "mooncake-5.jsonl"), 2);
    expect(await runInPage()).toBe(simulated(simulateServing({ ...deployment, eviction: "lru", cacheModel: "vllm", slo: {}, requests }).summary));
    // Without a host tier there is no host tier chart.
    await page.waitForSelector("#timed-charts figure img");
    expect(await page.$$eval("#timed-charts figure", (fs) => fs.map((f) => (f as HTMLElement).dataset.chart))).toEqual(["latency-cdf.svg", "kv-usage.svg", "batch-size.svg"]);
    await fillForm({ qps: "" });
  });

  it("shows one message naming the file, line or field for a bad upload or an impossible run, and runs again once it is fixed", async () => {
    const bad = "{\"timestamp\": 0, \"input_length\": 600, \"output_length\": 5, \"hash_ids\": [0, 1]}\n{\"timestamp\": 10, \"input_length\": 600, \"output_length\": 5, \"hash_ids\": [7]}\n";
    expect(await pickTrace({ name: "bad.jsonl", mimeType: "application/jsonl", buffer: Buffer.from(bad) })).toBe("no trace picked");
    expect(await errorText()).toBe("bad.jsonl:2: hash_ids must be 2 ids long (600 input tokens in 512-token blocks), got 1");
    // The bad file is not kept: a run asks for a trace instead of running an old one.
    expect(await runInPage()).toBeUndefined();
    expect(await errorText()).toBe("trace file: pick a Vidur CSV, Mooncake JSONL or Azure CSV file first");
    expect(await pickTrace({ name: "requests.csv", mimeType: "text/csv", buffer: Buffer.from("time,prompt\n1,2\n") })).toBe("no trace picked");
    expect(await errorText()).toMatch(/^requests\.csv: cannot tell the trace format/);

    const impossible: [Record<string, string>, RegExp][] = [
      [{ "block-size": "0" }, /^Block size \(tokens\): an integer from 1 to 4,096, got "0"$/],
      [{ "block-size": "16", model: "llama-3-70b", gpu: "l4" }, /^llama-3-70b does not fit 1 × l4/],
      [{ model: "llama-3-8b", gpu: "h100-sxm", tp: "3" }, /^tensor parallel 3 does not divide llama-3-8b's 32 attention heads$/],
      [{ tp: "1", "host-blocks": "100", "host-link": "usb2" }, /^Host tier link must be pcie4, pcie5 or GB\/s in \(0, 10000\], got "usb2"$/],
      [{ "host-link": "pcie4", "kv-blocks": "2" }, /^request 0 needs \d+ KV blocks of 16 tokens/],
    ];
    await pickTrace(fixture("vidur-5.csv"));
    for (const [fields, message] of impossible) {
      await fillForm(fields);
      expect(await runInPage(), JSON.stringify(fields)).toBeUndefined();
      expect(await errorText()).toMatch(message);
    }
    await fillForm({ "kv-blocks": "", "host-blocks": "" });
    await page.check("#timed-source-workload");
    await page.fill("#timed-workload", "{ \"requests\": 10, ");
    expect(await runInPage()).toBeUndefined();
    expect(await errorText()).toMatch(/^workload spec: not valid JSON/);
    await page.fill("#timed-workload", JSON.stringify({ requests: 10, arrivals: { kind: "poisson", qps: -1 }, prompt: { kind: "fixed", value: 8 }, output: { kind: "fixed", value: 8 } }));
    expect(await runInPage()).toBeUndefined();
    expect(await errorText()).toMatch(/^workload spec: arrivals\.qps/);
    for (const text of await page.$$eval(".error", (es) => es.map((e) => e.textContent ?? ""))) expect(text).not.toMatch(/\n\s+at /);

    // Fixed, it runs: the page kept working through every refusal.
    await page.fill("#timed-workload", readFileSync(EXAMPLE, "utf8"));
    await fillForm({ seed: "0" });
    const spec = JSON.parse(readFileSync(EXAMPLE, "utf8")) as SyntheticWorkloadInput;
    expect(await runInPage()).toBe(simulated(simulateServing({ ...deployment, eviction: "lru", cacheModel: "vllm", slo: {}, requests: syntheticRequests(spec, 0) }).summary));
    expect(await page.isHidden("#timed-error")).toBe(true);
    expect(pageErrors).toEqual([]);
  });
});
