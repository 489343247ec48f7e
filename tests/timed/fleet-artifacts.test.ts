import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readJsonFile } from "../../src/json-file.js";
import { requestLine } from "../../src/timed/artifacts.js";
import { FleetArtifactWriter } from "../../src/timed/fleet-artifacts.js";
import { simulateFleet } from "../../src/timed/fleet.js";
import { gpuPreset } from "../../src/timed/gpus.js";
import { modelPreset } from "../../src/timed/models.js";
import { syntheticRequests, type SyntheticWorkloadInput } from "../../src/timed/workloads.js";
import { runCli } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "kvsim-fleet-out-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const args = ["serving", "simulate", "--workload", "examples/chat-sessions.json", "--requests", "300", "--model", "llama-3-8b", "--gpu", "h100-sxm", "--kv-blocks", "3000",
  "--instances", "3", "--router", "kv-aware", "--session-affinity", "pinned"];
type Summary = { router: string; sessionAffinity: string; fleet: { requests: number; simulationMs: number }; instances: { requests: number; iterations: number; simulationMs: number }[] };
const withoutTimes = (s: Summary) => ({ ...s, fleet: { ...s.fleet, simulationMs: 0 }, instances: s.instances.map((i) => ({ ...i, simulationMs: 0 })) });

describe("kvsim serving simulate --instances --out (docs/timed.md)", () => {
  it("writes requests.csv with each request's instance, iterations.csv by instance, summary.json as --json prints it, and the fleet's charts", async () => {
    const out = join(dir, "fleet");
    const r = await runCli([...args, "--out", out, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(["instances.svg", "iterations.csv", "latency-cdf.svg", "requests.csv", "summary.json"]);
    const summary = readJsonFile(join(out, "summary.json")) as Summary;
    expect(withoutTimes(summary)).toEqual(withoutTimes(JSON.parse(r.stdout) as Summary));
    expect(summary).toMatchObject({ router: "kv-aware", sessionAffinity: "pinned", fleet: { requests: 300 } });

    // The same run in-process: requests.csv is its rows in input order, each with its instance.
    const spec = { ...(readJsonFile("examples/chat-sessions.json") as SyntheticWorkloadInput), requests: 300 };
    const sim = simulateFleet({ requests: syntheticRequests(spec, 0), model: modelPreset("llama-3-8b"), gpu: gpuPreset("h100-sxm"), kvBlocks: 3000, instances: 3, router: "kv-aware", sessionAffinity: "pinned" });
    const requests = readFileSync(join(out, "requests.csv"), "utf8").trimEnd().split("\n");
    expect(requests[0]).toMatch(/,matched_prefix_blocks,instance$/);
    expect(requests.slice(1)).toEqual(sim.requests.map((q) => `${requestLine(q)},${q.instance}`));

    // iterations.csv: instance 0's batches numbered from 0, then instance 1's, …, as many as each instance's summary counts.
    const iterations = readFileSync(join(out, "iterations.csv"), "utf8").trimEnd().split("\n");
    expect(iterations[0]).toMatch(/^iteration,.*,bytes_from_host,instance$/);
    const rows = iterations.slice(1).map((l) => l.split(","));
    const expected = summary.instances.flatMap((s, i) => Array.from({ length: s.iterations }, (_, k) => [String(k), String(i)]));
    expect(rows.map((c) => [c[0], c.at(-1)])).toEqual(expected);

    for (const chart of ["latency-cdf.svg", "instances.svg"]) {
      const svg = readFileSync(join(out, chart), "utf8");
      expect(svg.startsWith("<svg") && svg.trimEnd().endsWith("</svg>"), chart).toBe(true);
      expect(svg, chart).toContain("3 × vllm · roofline · llama-3-8b on h100-sxm, kv-aware router, sessions pinned (simulated)");
    }
    expect(readFileSync(join(out, "instances.svg"), "utf8")).toContain("requests served");
  });

  it("leaves nothing behind when the run fails, or when the writer is discarded", async () => {
    const out = join(dir, "failed");
    // A 40-block cache cannot hold the chat workload's longer sessions: the plan refuses them before any run.
    const r = await runCli([...args.map((a) => (a === "3000" ? "40" : a)), "--out", out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/needs \d+ KV blocks/);
    expect(readdirSync(out)).toEqual([]);
    const writer = new FleetArtifactWriter(out, 2);
    writer.sinkOf(1).iteration({ start: 0, duration: 1, requests: 1, prefillTokens: 16, decodeTokens: 0, kvBlocksUsed: 1, hostBlocksCached: 0, bytesToHost: 0, bytesFromHost: 0 });
    expect(readdirSync(out)).toHaveLength(2);
    writer.discard();
    expect(readdirSync(out)).toEqual([]);
  });
});
