import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { originOf } from "../../src/sweep/plan-files.js";
import { atQps } from "../../src/timed/capacity.js";
import { simulateFleet } from "../../src/timed/fleet.js";
import { gpuPreset } from "../../src/timed/gpus.js";
import { modelPreset } from "../../src/timed/models.js";
import { readRequestsCsv } from "../../src/timed/requests.js";
import { servingMetrics } from "../../src/timed/sweep/job.js";
import { planServingSweep } from "../../src/timed/sweep/plan-files.js";
import { runServingSweep } from "../../src/timed/sweep/run.js";
import { parseServingSweepSpec, type ServingSweepSpecInput } from "../../src/timed/sweep/spec.js";
import { specAtQps, syntheticRequests, type SyntheticWorkloadInput } from "../../src/timed/workloads.js";
import { runCli } from "../helpers/cli.js";
import { servingSweepDir } from "../helpers/serving-sweep-dir.js";

const chat: SyntheticWorkloadInput = {
  requests: 120, arrivals: { kind: "poisson", qps: 3 }, prompt: { kind: "uniform", min: 10, max: 400 }, output: { kind: "uniform", min: 1, max: 60 },
  sessions: { turns: { kind: "uniform", min: 2, max: 4 }, thinkTimeS: 2, systemPromptTokens: 128 },
};
const dir = servingSweepDir("kvsim-fleet-sweep-", chat);

const spec: ServingSweepSpecInput = {
  name: "fleets", kind: "serving",
  workloads: [{ workload: "chat.json", label: "chat" }, { trace: "five.csv", label: "five" }],
  deployments: [{ model: "llama-3-8b", gpu: "h100-sxm" }],
  schedulers: ["vllm"],
  qps: [4], kvBlocks: [600], slo: { ttftMs: 200 }, seeds: [1, 2],
  instances: [2, 3], routers: ["round-robin", "kv-aware"], sessionAffinity: ["free", "pinned"],
};
const specFile = join(dir, "spec.json");
writeFileSync(specFile, JSON.stringify(spec));
const plan = (s: ServingSweepSpecInput = spec) => planServingSweep(parseServingSweepSpec(s, specFile), originOf(specFile));
const deployment = { model: modelPreset("llama-3-8b"), gpu: gpuPreset("h100-sxm"), kvBlocks: 600, slo: { ttftS: 0.2 } };

describe("serving sweeps of fleets (docs/sweeps.md)", () => {
  it("repeats each run over instances × routers × session affinities, innermost, and keys the rows by their fleet", async () => {
    const p = await plan();
    expect(p.rows).toHaveLength(2 * 2 * 2 * 2 * 2);
    expect(p.rows.slice(0, 3).map((r) => r.key)).toEqual([
      "chat/llama-3-8b@h100-sxm/vllm/qps=4/kv=600/instances=2/router=round-robin/sessionAffinity=free/1",
      "chat/llama-3-8b@h100-sxm/vllm/qps=4/kv=600/instances=2/router=round-robin/sessionAffinity=pinned/1",
      "chat/llama-3-8b@h100-sxm/vllm/qps=4/kv=600/instances=2/router=kv-aware/sessionAffinity=free/1",
    ]);
    expect(p.rows.at(-1)).toMatchObject({ workload: "five", instances: 3, router: "kv-aware", sessionAffinity: "pinned", seed: 2 });
    expect(p.rows.at(-1)!.job.fleet).toEqual({ instances: 3, router: "kv-aware", sessionAffinity: "pinned" });
    // Without "instances", rows keep their fleetless keys and jobs.
    const single = await plan({ ...spec, instances: undefined, routers: undefined, sessionAffinity: undefined });
    expect(single.rows[0]!.key).toBe("chat/llama-3-8b@h100-sxm/vllm/qps=4/kv=600/1");
    expect(single.rows[0]!.job).not.toHaveProperty("fleet");
    expect(single.rows[0]).not.toHaveProperty("instances");
  });

  it("a row's metrics are its fleet's summary, the same flat names as a single run's; one thread or two write the same files", async () => {
    const p = await plan();
    const one = await runServingSweep(p, { outDir: join(dir, "one"), threads: 1, charts: false });
    const two = await runServingSweep(p, { outDir: join(dir, "two"), threads: 2, charts: false });
    expect(one.status).toBe("complete");
    for (const f of ["results.jsonl", "results.csv", "summary.csv"]) expect(readFileSync(join(dir, "two", f), "utf8"), f).toBe(readFileSync(join(dir, "one", f), "utf8"));
    const find = (key: string) => one.results.find((r) => r.key === key)!;
    const pinned = simulateFleet({ requests: syntheticRequests(specAtQps(chat, 4), 2), ...deployment, instances: 3, router: "kv-aware", sessionAffinity: "pinned" });
    expect(find("chat/llama-3-8b@h100-sxm/vllm/qps=4/kv=600/instances=3/router=kv-aware/sessionAffinity=pinned/2").metrics).toEqual(servingMetrics(pinned.fleet));
    // A trace is brought to the rate as a single run's is.
    const atFour = simulateFleet({ requests: atQps(readRequestsCsv("tests/fixtures/timed/vidur-5.csv"), 4), ...deployment, instances: 2, router: "round-robin" });
    expect(find("five/llama-3-8b@h100-sxm/vllm/qps=4/kv=600/instances=2/router=round-robin/sessionAffinity=free/1").metrics).toEqual(servingMetrics(atFour.fleet));
    const csv = readFileSync(join(dir, "one", "results.csv"), "utf8");
    expect(csv.split("\n")[0]).toMatch(/^workload,deployment,scheduler,qps,kvBlocks,instances,router,sessionAffinity,seed,requests,/);
    // Seeds are averaged per fleet: 2 workloads × 8 fleets.
    expect(one.summary).toHaveLength(16);
    expect(one.summary[1]).toMatchObject({ instances: 2, router: "round-robin", sessionAffinity: "pinned", seeds: [1, 2] });
  });

  it("refuses a bad fleet before any run, naming the field", async () => {
    const bad = (patch: Partial<ServingSweepSpecInput>) => plan({ ...spec, ...patch });
    await expect(bad({ instances: undefined })).rejects.toThrow(/spec\.json: routers: routers and sessionAffinity route among a fleet's instances: give "instances"/);
    await expect(bad({ instances: undefined, routers: undefined })).rejects.toThrow(/spec\.json: sessionAffinity: routers and sessionAffinity/);
    await expect(bad({ routers: ["kv-aware", "random"] })).rejects.toThrow(/spec\.json: routers\.1: unknown router "random"/);
    await expect(bad({ routers: ["kv-aware", "kv-aware"] })).rejects.toThrow(/spec\.json: routers\.1: duplicate "kv-aware" \(same as routers\.0\)/);
    await expect(bad({ sessionAffinity: ["pinned", "pinned"] })).rejects.toThrow(/spec\.json: sessionAffinity\.1: duplicate "pinned"/);
    expect(() => parseServingSweepSpec({ ...spec, instances: [0] }, "s.json")).toThrow(/s\.json: instances\.0: /);
  });

  it("kvsim sweep names each row's fleet in its table", async () => {
    const r = await runCli(["sweep", specFile, "--out", join(dir, "cli"), "--no-charts"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^scheduler\s+kv blocks\s+QPS\s+instances\s+router\s+sessions\s+p99 TTFT ms/m);
    expect(r.stdout).toMatch(/^vllm\s+600\s+4\s+3\s+kv-aware\s+pinned\s/m);
  });
});
