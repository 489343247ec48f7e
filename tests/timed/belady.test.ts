import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { KvsimInputError } from "../../src/errors.js";
import { prefixReplay } from "../../src/serving/prefix-replay.js";
import { blockHashes } from "../../src/timed/block-hashes.js";
import { EngineDriver } from "../../src/timed/engine-run.js";
import { simulateFleet } from "../../src/timed/fleet.js";
import { NEVER, requestFuture } from "../../src/timed/future.js";
import type { ServingRequest } from "../../src/timed/requests.js";
import { planInstances, simulateServing, simulateServingStream, type SimulateServingOptions } from "../../src/timed/simulate.js";
import { readServingTrace } from "../../src/timed/trace-formats.js";
import { readMooncakeTrace } from "../../src/traces/formats/mooncake.js";
import { runCli } from "../helpers/cli.js";
import { B, blockRequest, gpu, model } from "../helpers/tier-deployment.js";

const MOONCAKE = "tests/fixtures/mooncake/synthetic_trace.jsonl";

/**
 * A request whose prompt is two whole blocks named `name`·k (the same name, the same content) and
 * one token more, making one output token: it holds 3 blocks, caches 2 and can hit both
 * (vLLM shares all but the last prompt token's block, here the third).
 */
const request = (arrival: number, name: number) => blockRequest(arrival, name, 2, 1);
/** Requests of these contents, one every 10 s: each completes before the next arrives. */
const inTurn = (...names: number[]) => names.map((name, i) => request(10 * i, name));
const [A, B_, C, D, E] = [1, 2, 3, 4, 5];

describe("belady with the trace's future in the timed simulator (docs/model.md)", () => {
  it("numbers the trace's block accesses in arrival order and gives each block the next access to its content", () => {
    // Accesses: A's 2 prompt blocks are steps 0, 1, then B's 2, 3, C's 4, 5, A's again 6, 7.
    const requests = inTurn(A, B_, C, A);
    const future = requestFuture(requests, [0, 1, 2, 3], B, false, true, "eviction");
    expect([...future.starts]).toEqual([0, 2, 4, 6, 8]);
    expect([...future.uses]).toEqual([6, 7, NEVER, NEVER, NEVER, NEVER, NEVER, NEVER]);
    // The order fed decides, not the input's: fed last, the first A is the one reused by none.
    const reordered = requestFuture(requests, [3, 1, 2, 0], B, false, true, "eviction");
    expect([...reordered.uses]).toEqual([NEVER, NEVER, NEVER, NEVER, NEVER, NEVER, 6, 7]);
    // A conversation's next turn reads the last turn's output: an output block gets its next use too.
    const turn1: ServingRequest = { arrival: 0, prompt: B, output: B, content: { tokens: 2 * B, blockTokens: B, ids: [7, 8] } };
    const turn2: ServingRequest = { arrival: 1, prompt: 2 * B + 1, output: 1, content: { tokens: 2 * B + 1, blockTokens: B, ids: [7, 8, 9] } };
    expect([...requestFuture([turn1, turn2], [0, 1], B, false, true, "eviction").uses]).toEqual([1, 2, NEVER, NEVER]);
    // Without prefix caching nothing is reused.
    expect([...requestFuture(requests, [0, 1, 2, 3], B, false, false, "eviction").uses].every((u) => u === NEVER)).toBe(true);
  });

  it("hashes as the engine does, the replay model's partly filled last prompt block included", () => {
    // 2 blocks and 5 tokens of prompt: replay caches the third block over the prompt's 5 tokens only.
    const a: ServingRequest = { arrival: 0, prompt: 2 * B + 5, output: 3, content: { tokens: 2 * B + 5, blockTokens: B, ids: [1, 2, 3] } };
    const options: SimulateServingOptions = { requests: [a], model, gpu, kvBlocks: 16, blockSize: B, cacheModel: "replay" };
    const driver = new EngineDriver({ config: planInstances(options, [a]).config }, { request: () => {}, iteration: () => {} });
    driver.feed([a], [0]);
    driver.endInput();
    expect(driver.run()).toBe(true);
    expect(driver.cachedPrefix(blockHashes(a, 0, a.prompt + a.output, B, a.prompt))).toEqual({ gpu: 3, host: 0 });
    // Uncut, the third block holds prompt and output tokens: another content.
    expect(driver.cachedPrefix(blockHashes(a, 0, 3 * B, B))).toEqual({ gpu: 2, host: 0 });
    driver.finish();
  });

  it("on the GPU, keeps the prefix used next where lru keeps the one used last", () => {
    // A 5-block GPU: a request holds 3 blocks while it runs and leaves 2 cached (its third, with
    // the prompt's last token, uncached). After A and B, 4 blocks cache A's and B's and 1 is free,
    // so C takes it and evicts 2. lru evicts A's (freed first); belady evicts B's, never used again,
    // A's next use being the last request, which then finds A's 2 blocks (32 tokens) where under
    // lru it finds none. Each request has 3 prompt blocks: 2 of 12 matched.
    const options: SimulateServingOptions = { requests: inTurn(A, B_, C, A), model, gpu, kvBlocks: 5, blockSize: B, maxNumSeqs: 1 };
    const lru = simulateServing(options);
    const belady = simulateServing({ ...options, eviction: "belady" });
    expect(lru.requests.map((r) => r.prefixHitTokens)).toEqual([0, 0, 0, 0]);
    expect(belady.requests.map((r) => r.prefixHitTokens)).toEqual([0, 0, 0, 2 * B]);
    expect(belady.requests.map((r) => r.matchedPrefixBlocks)).toEqual([0, 0, 0, 2]);
    expect(belady.summary.prefixBlocks).toEqual({ blocks: 12, matchedBlocks: 2, hitRate: 2 / 12 });
  });

  it("in the host tier, keeps the copy used next: a host copy's next use is its content's", () => {
    // The same 5-block GPU under lru evicts a whole prefix for each new request, copying it to a
    // 4-block host (write-back): A's at C, B's at D, C's at E, when the host is full of A and B.
    // A host lru drops A's (the oldest); a host belady drops B's, never used again, keeping A's,
    // whose next use is the last request: it loads A's 2 blocks, 32 tokens, from the host.
    const options: SimulateServingOptions = {
      requests: inTurn(A, B_, C, D, E, A), model, gpu, kvBlocks: 5, blockSize: B, maxNumSeqs: 1, hostTier: { blocks: 4, eviction: "lru" },
    };
    const lru = simulateServing(options);
    const belady = simulateServing({ ...options, hostTier: { blocks: 4, eviction: "belady" } });
    for (const sim of [lru, belady]) expect(sim.requests.map((r) => r.prefixHitTokens)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(lru.requests.map((r) => r.hostHitTokens)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(belady.requests.map((r) => r.hostHitTokens)).toEqual([0, 0, 0, 0, 0, 2 * B]);
    expect(belady.summary.hostTier!.eviction).toBe("belady");
    // The GPU's belady alone (one instance evicting both tiers) keeps A on the GPU itself.
    const both = simulateServing({ ...options, eviction: "belady", hostTier: { blocks: 4 } });
    expect(both.requests.map((r) => r.prefixHitTokens)).toEqual([0, 0, 0, 0, 0, 2 * B]);
  });

  it("renews a host copy that a request passes by on the GPU", () => {
    // GPU lru (5 blocks, as above), host belady of 6 blocks: X goes down at Z, Y at W; X comes back
    // from the host (X's host copy then next used by the X after it), Z goes down. The next X hits
    // X on the GPU: X's host copy is passed, its next use now never. V evicts W, whose copy fills
    // the host: belady drops X's copy (never used again), not Z's (used by the last request), and
    // Y and Z both load their 2 blocks. Left at the passed X's place, X's copy would seem used
    // sooner than Z's, and Z's tail would go instead: Z would load 1 block.
    const [X, Y, Z, W, V] = [1, 2, 3, 4, 5];
    const sim = simulateServing({
      requests: inTurn(X, Y, Z, W, X, X, V, Y, Z), model, gpu, kvBlocks: 5, blockSize: B, maxNumSeqs: 1, hostTier: { blocks: 6, eviction: "belady" },
    });
    expect(sim.requests.map((r) => r.prefixHitTokens)).toEqual([0, 0, 0, 0, 0, 2 * B, 0, 0, 0]);
    expect(sim.requests.map((r) => r.hostHitTokens)).toEqual([0, 0, 0, 0, 2 * B, 0, 0, 2 * B, 2 * B]);
  });

  it("never matches fewer prefix blocks than lru or fifo on Mooncake's trace, one request at a time under the replay model", async () => {
    // The exact-replay setting of cache-model.test.ts (one-token outputs), on a GPU of 1,000 blocks: 10,050 blocks
    // matched under lru, 9,593 under fifo, 32,803 under belady (of 121,877).
    const requests = readServingTrace(MOONCAKE).map((r) => ({ ...r, output: 1 }));
    const options: SimulateServingOptions = { requests, model, gpu, kvBlocks: 1000, blockSize: 512, maxNumSeqs: 1, cacheModel: "replay" };
    const matched = (eviction: string) => simulateServing({ ...options, eviction }).summary.prefixBlocks.matchedBlocks;
    const belady = matched("belady");
    for (const online of ["lru", "fifo", "s3fifo", "sieve"]) expect(belady, online).toBeGreaterThan(matched(online));
    expect(belady).toBe(32_803);
    // The page engine's belady over the same block accesses (prefix-replay) matches 33,713: it may
    // also evict the running request's own blocks, which the pool holds until the request ends.
    const reference = prefixReplay({ trace: await readMooncakeTrace(MOONCAKE), capacityBlocks: 1000, policy: "belady" });
    expect(belady).toBeLessThanOrEqual(reference.hitBlocks);
    expect(belady).toBeGreaterThan(0.97 * reference.hitBlocks);
  });

  it("refuses a future it cannot know: a stream, a fleet, the reference schedulers", () => {
    const requests = inTurn(A, B_, C, A);
    const options: SimulateServingOptions = { requests, model, gpu, kvBlocks: 5, blockSize: B, maxNumSeqs: 1, eviction: "belady" };
    function* stream() {
      yield* requests;
    }
    const sink = { request: () => {}, iteration: () => {} };
    expect(() => simulateServingStream({ ...options, requests: stream() }, sink)).toThrow(KvsimInputError);
    expect(() => simulateServingStream({ ...options, requests: stream() }, sink))
      .toThrow("eviction: the trace's future is unknown in a stream of requests: give them as an array (kvsim's commands draw a workload whole for it)");
    expect(() => simulateServingStream({ ...options, eviction: "lru", hostTier: { blocks: 4, eviction: "belady" }, requests: stream() }, sink))
      .toThrow(/^host tier: eviction: the trace's future is unknown in a stream of requests/);
    // Given as an array, a stream in arrival order runs as the whole run does.
    const streamed = simulateServingStream({ ...options, requests }, sink);
    expect({ ...streamed, simulationMs: 0 }).toEqual({ ...simulateServing(options).summary, simulationMs: 0 });
    expect(() => simulateFleet({ ...options, instances: 2, router: "round-robin" })).toThrow(
      "eviction: belady needs the next use of each request's blocks on its instance, which a fleet does not know (its router places each request as it arrives); run one instance or another policy",
    );
    expect(() => simulateFleet({ ...options, eviction: "lru", hostTier: { blocks: 4, eviction: "belady" }, instances: 2, router: "kv-aware" }))
      .toThrow(/^host tier: eviction: belady needs the next use of each request's blocks on its instance/);
    expect(() => simulateServing({ ...options, reference: true }))
      .toThrow("eviction: the trace's future is given to the WebAssembly engine only (not the reference schedulers, nor a time model without an engine twin)");
  });

  it("kvsim serving simulate takes --eviction belady and --host-eviction belady, drawing a workload whole; refuses them with --instances (exit 2)", async () => {
    const trace = ["serving", "simulate", "--trace", MOONCAKE, "--model", "llama-3-8b", "--gpu", "h100-sxm", "--kv-blocks", "1000", "--block-size", "512",
      "--max-num-seqs", "1", "--cache-model", "replay", "--max-output-tokens", "1", "--json"];
    const belady = await runCli([...trace, "--eviction", "belady"]);
    expect(belady.code, belady.stderr).toBe(0);
    expect(JSON.parse(belady.stdout).prefixBlocks.matchedBlocks).toBe(32_803);
    const host = await runCli([...trace, "--host-blocks", "2000", "--host-eviction", "belady"]);
    expect(host.code, host.stderr).toBe(0);
    expect(JSON.parse(host.stdout).hostTier.eviction).toBe("belady");
    const workload = ["serving", "simulate", "--workload", "examples/chat-sessions.json", "--requests", "200", "--model", "llama-3-8b", "--gpu", "h100-sxm", "--kv-blocks", "2000", "--json"];
    const drawn = await runCli([...workload, "--eviction", "belady"]);
    expect(drawn.code, drawn.stderr).toBe(0);
    expect(JSON.parse(drawn.stdout).requests).toBe(200);
    const fleet = await runCli([...workload, "--eviction", "belady", "--instances", "2"]);
    expect(fleet.code).toBe(2);
    expect(fleet.stderr).toContain("eviction: belady needs the next use of each request's blocks on its instance, which a fleet does not know");
    const hostFleet = await runCli([...workload, "--host-blocks", "100", "--host-eviction", "belady", "--instances", "2"]);
    expect(hostFleet.code).toBe(2);
    expect(hostFleet.stderr).toContain("host tier: eviction: belady needs the next use of each request's blocks on its instance");
    const capacity = await runCli(["serving", "capacity", ...workload.slice(2, -1), "--eviction", "belady", "--slo-ttft-ms", "500", "--max-probes", "2", "--json"]);
    expect(capacity.code, capacity.stderr).toBe(0);
  });

  it("sweeps run belady in a scheduler's eviction and hostEviction, and refuse it with instances", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kvsim-belady-"));
    try {
      const file = join(dir, "spec.json");
      const spec = (extra: Record<string, unknown>) => writeFileSync(file, JSON.stringify({
        name: "belady", kind: "serving", workloads: [{ workload: join(process.cwd(), "examples/chat-sessions.json"), label: "chat" }],
        deployments: [{ model: "llama-3-8b", gpu: "h100-sxm" }], kvBlocks: [2000], qps: [2],
        schedulers: [{ name: "vllm", eviction: "belady", label: "belady" }, { name: "vllm", hostBlocks: 500, hostEviction: "belady", label: "host-belady" }], ...extra,
      }));
      spec({});
      const run = await runCli(["sweep", file, "--out", join(dir, "a")]);
      expect(run.code, run.stderr).toBe(0);
      spec({ instances: [2] });
      const fleet = await runCli(["sweep", file, "--out", join(dir, "b")]);
      expect(fleet.code).toBe(2);
      expect(fleet.stderr).toMatch(/schedulers\.0: eviction: belady needs the next use of each request's blocks on its instance/);
      spec({ instances: [2], schedulers: [{ name: "vllm", hostBlocks: 500, hostEviction: "belady" }] });
      const hostFleet = await runCli(["sweep", file, "--out", join(dir, "c")]);
      expect(hostFleet.code).toBe(2);
      expect(hostFleet.stderr).toMatch(/schedulers\.0: hostEviction: belady needs the next use of each request's blocks on its instance/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
