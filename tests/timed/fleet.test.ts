import { describe, expect, it } from "vitest";
import { simulateFleet, type FleetOptions } from "../../src/timed/fleet.js";
import { gpuPreset } from "../../src/timed/gpus.js";
import { modelPreset } from "../../src/timed/models.js";
import type { ServingRequest } from "../../src/timed/requests.js";
import { blockHashes } from "../../src/timed/block-hashes.js";
import { EngineDriver } from "../../src/timed/engine-run.js";
import { ROUTER_NAMES } from "../../src/timed/routers/registry.js";
import { planInstances, simulateServing } from "../../src/timed/simulate.js";
import { syntheticRequests } from "../../src/timed/workloads.js";
import { runCli } from "../helpers/cli.js";

const model = modelPreset("llama-3-8b");
const gpu = gpuPreset("h100-sxm");
const B = 16;
const sessions = syntheticRequests({
  requests: 400, arrivals: { kind: "poisson", qps: 20 }, prompt: { kind: "uniform", min: 50, max: 600 }, output: { kind: "uniform", min: 1, max: 40 },
  sessions: { turns: { kind: "uniform", min: 1, max: 5 }, thinkTimeS: 1, systemPromptTokens: 200 },
}, 4);
const base = { model, gpu, kvBlocks: 800 };

/** A request of `blocks` whole blocks named `name`·k, so that requests of one name share their prefix. */
const request = (arrival: number, name: number, blocks: number): ServingRequest => ({
  arrival, prompt: blocks * B, output: 2, content: { tokens: blocks * B, blockTokens: B, ids: Array.from({ length: blocks }, (_, k) => name * 1000 + k) },
});
const route = (requests: ServingRequest[], router: string, instances = 2) =>
  simulateFleet({ requests, ...base, instances, router }).requests.map((r) => r.instance);

describe("instances behind a router (docs/timed.md)", () => {
  it.each(ROUTER_NAMES)("one instance behind %s runs exactly what simulateServing runs", (router) => {
    const one = simulateFleet({ requests: sessions, ...base, instances: 1, router });
    const alone = simulateServing({ requests: sessions, ...base });
    expect({ ...one.fleet, simulationMs: 0 }).toEqual({ ...alone.summary, simulationMs: 0 });
    expect({ ...one.instances[0]!, simulationMs: 0 }).toEqual({ ...alone.summary, simulationMs: 0 });
    expect(one.requests.map(({ instance: _, ...r }) => r)).toEqual(alone.requests);
  });

  it("round-robin sends the k-th arrival to instance k mod N; the fleet's figures are its instances' together", () => {
    const sim = simulateFleet({ requests: sessions, ...base, instances: 3, router: "round-robin" });
    const order = sessions.map((_, i) => i).sort((a, b) => sessions[a]!.arrival - sessions[b]!.arrival || a - b);
    order.forEach((k, n) => expect(sim.requests[k]!.instance).toBe(n % 3));
    expect(sim.instances.map((s) => s.requests)).toEqual([134, 133, 133]);
    expect(sim.fleet.requests).toBe(400);
    expect(sim.fleet.prefixHitTokens).toBe(sim.instances.reduce((s, i) => s + i.prefixHitTokens, 0));
    expect(sim.fleet.iterations).toBe(sim.instances.reduce((s, i) => s + i.iterations, 0));
  });

  it("least-loaded sends a request to the instance with the fewest outstanding, the first on ties", () => {
    // Two long requests at once go to 0 then 1; a third while both run goes to 0 (a tie); one after all completed, to 0.
    expect(route([request(0, 1, 40), request(0, 2, 40), request(0.001, 3, 4), request(100, 4, 4)], "least-loaded")).toEqual([0, 1, 0, 0]);
  });

  it("kv-aware follows a prefix to the instance that caches it, unless that instance's load outweighs it", () => {
    // D keeps instance 0 busy, so A (prefix 1) goes to 1; B and B', with A's prefix, follow it to 1 once all is idle
    // (round-robin and least-loaded know nothing of caches).
    const requests = [request(0, 9, 40), request(0.0001, 1, 20), request(50, 1, 24), request(500, 1, 24)];
    expect(route(requests, "kv-aware")).toEqual([0, 1, 1, 1]);
    expect(route(requests, "round-robin")).toEqual([0, 1, 0, 1]);
    expect(route(requests, "least-loaded")).toEqual([0, 1, 0, 0]);
    // The shared prefix is found on the instance it went to: B hits A's blocks there.
    const sim = simulateFleet({ requests, ...base, instances: 2, router: "kv-aware" });
    expect(sim.requests[2]!.prefixHitTokens).toBe(20 * B);
    // While A still runs on 0, a request with its prefix weighs 0's load (A's 20 blocks in use, its 320
    // prompt tokens outstanding) against the 20 cached blocks: 0 costs (320 + 384) / 16 − 20 + 20 = 44,
    // idle 1 costs 384 / 16 = 24, so it goes to 1.
    expect(route([request(0, 1, 20), request(0.00001, 1, 24)], "kv-aware")).toEqual([0, 1]);
    // Against a busier instance, the cached prefix wins: 1 costs 44, 0 (D's 40 blocks and 640 tokens) 104.
    expect(route([request(0, 9, 40), request(0.0001, 1, 20), request(0.0002, 1, 24)], "kv-aware")).toEqual([0, 1, 1]);
  });

  it("an engine says how much of a request's prefix it caches, exactly, on the GPU and in its host tier", () => {
    const a = request(0, 1, 4);
    const hashes = blockHashes(a, 0, a.prompt, B);
    const driver = new EngineDriver({ config: planInstances({ ...base, hostTier: { blocks: 64 } }, [a]).config }, { request: () => {}, iteration: () => {} });
    expect(driver.cachedPrefix(hashes)).toEqual({ gpu: 0, host: 0 });
    driver.feed([a], [0]);
    driver.endInput();
    expect(driver.run()).toBe(true);
    // Every full block of A's prompt is cached once A completes; another request's names are not.
    expect(driver.cachedPrefix(hashes)).toEqual({ gpu: 4, host: 0 });
    const other = request(0, 2, 4);
    expect(driver.cachedPrefix(blockHashes(other, 1, other.prompt, B))).toEqual({ gpu: 0, host: 0 });
    driver.finish();
  });

  it("is deterministic, keeps host tiers per instance, and refuses what it cannot run", () => {
    const options: FleetOptions = { requests: sessions, ...base, kvBlocks: 200, instances: 4, router: "kv-aware", hostTier: { blocks: 400 } };
    const a = simulateFleet(options);
    const b = simulateFleet(options);
    expect(JSON.stringify({ ...a, fleet: { ...a.fleet, simulationMs: 0 }, instances: a.instances.map((s) => ({ ...s, simulationMs: 0 })) }))
      .toBe(JSON.stringify({ ...b, fleet: { ...b.fleet, simulationMs: 0 }, instances: b.instances.map((s) => ({ ...s, simulationMs: 0 })) }));
    expect(a.instances.every((s) => s.hostTier !== null)).toBe(true);
    expect(a.fleet.hostTier!.hitTokens).toBe(a.instances.reduce((s, i) => s + i.hostTier!.hitTokens, 0));
    expect(() => simulateFleet({ ...options, instances: 0 })).toThrow(/instances must be an integer from 1 to 64/);
    expect(() => simulateFleet({ ...options, router: "constructor" })).toThrow(/unknown router "constructor"/);
  });

  it("kvsim serving simulate --instances prints the fleet and each instance, or JSON; refuses --router and --session-affinity alone", async () => {
    const args = ["serving", "simulate", "--workload", "examples/chat-sessions.json", "--requests", "300", "--model", "llama-3-8b", "--gpu", "h100-sxm", "--instances", "3", "--router", "kv-aware"];
    const text = await runCli(args);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/300 requests on 3 × llama-3-8b on h100-sxm behind the kv-aware router/);
    expect(text.stdout).toMatch(/^instance\s+requests\s+TTFT p50 ms/m);
    const json = JSON.parse((await runCli([...args, "--json"])).stdout) as { router: string; sessionAffinity: string; fleet: { requests: number }; instances: { requests: number }[] };
    expect(json.router).toBe("kv-aware");
    expect(json).toHaveProperty("sessionAffinity", "free");
    expect(json.instances.reduce((s, i) => s + i.requests, 0)).toBe(json.fleet.requests);
    const alone = await runCli(["serving", "simulate", "--workload", "examples/chat-sessions.json", "--model", "llama-3-8b", "--gpu", "h100-sxm", "--router", "kv-aware"]);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/--router routes among --instances/);
    const pinned = await runCli(["serving", "simulate", "--workload", "examples/chat-sessions.json", "--model", "llama-3-8b", "--gpu", "h100-sxm", "--session-affinity", "pinned"]);
    expect(pinned.code).toBe(2);
    expect(pinned.stderr).toMatch(/--session-affinity pins sessions among --instances/);
  });
});
