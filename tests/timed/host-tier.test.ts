import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TimedStop } from "../../assembly/abi/timed.js";
import { gpuPreset } from "../../src/timed/gpus.js";
import { HOST_LINKS } from "../../src/timed/host-tier.js";
import { kvBytesPerToken, modelPreset } from "../../src/timed/models.js";
import type { ServingRequest } from "../../src/timed/requests.js";
import { rooflineTimeModel } from "../../src/timed/roofline.js";
import { simulateServing, type SimulateServingOptions } from "../../src/timed/simulate.js";
import { readServingTrace } from "../../src/timed/trace-formats.js";
import { syntheticRequests } from "../../src/timed/workloads.js";
import { requestFuture } from "../../src/timed/future.js";
import { policyInfo } from "../../src/policies/registry.js";
import { BLOCK_POLICIES, blockEviction } from "../../src/wasm/block-eviction.js";
import { TimedCacheModel, TimedEngine, TimedInvariant, TimedOffload, TimedScheduler } from "../../src/wasm/timed.js";
import { KvsimInputError } from "../../src/errors.js";
import { runCli } from "../helpers/cli.js";

const model = modelPreset("llama-3-8b");
const gpu = gpuPreset("h100-sxm");
const B = 16;
/** One block of Llama-3-8B on one GPU: 2 (K, V) × 32 layers × 8 KV heads × 128 × 2 bytes × 16 tokens = 2 MiB. */
const BLOCK_BYTES = kvBytesPerToken(model) * B;

/** A request whose prompt is `blocks` whole blocks named `name`·k (the same name, the same content), then `extra` tokens. */
const request = (arrival: number, name: number, blocks: number, extra = 0): ServingRequest => ({
  arrival, prompt: blocks * B + extra, output: 1, content: { tokens: blocks * B, blockTokens: B, ids: Array.from({ length: blocks }, (_, k) => name * 1000 + k) },
});

describe("a host tier below the GPU (docs/model.md)", () => {
  // A's 4 blocks are cached; C's 14 (13 full) fill a 14-block GPU and evict them all; B has A's content.
  const requests = [request(0, 1, 4), request(10, 2, 13, B - 1), request(20, 1, 4)];
  const base: SimulateServingOptions = { requests, model, gpu, kvBlocks: 14, blockSize: B, maxNumSeqs: 4 };

  it("a prefix found in the host is loaded over the link and not computed; without the tier it is computed", () => {
    expect(BLOCK_BYTES).toBe(2 * 1024 * 1024);
    const withHost = simulateServing({ ...base, hostTier: { blocks: 64 } });
    const b = withHost.requests[2]!;
    // 4 blocks hit but the last prompt token is computed for its logits: 3 blocks load, 16 tokens compute.
    expect(b).toMatchObject({ prefixHitTokens: 0, hostHitTokens: 3 * B });
    const link = HOST_LINKS.pcie4;
    const loaded = 20 + link.latencyS + (3 * BLOCK_BYTES) / link.bytesPerS;
    const first = withHost.iterations.find((i) => i.start >= 20)!;
    expect(first.start).toBeCloseTo(loaded, 12);
    expect(first.prefillTokens).toBe(B);
    expect(b.firstToken).toBeCloseTo(first.start + first.duration, 12);
    expect(withHost.summary.hostTier).toMatchObject({ hitTokens: 3 * B, loadedBlocks: 3, bytesFromHost: 3 * BLOCK_BYTES, offload: "write-back" });
    // Write-back: A's 4 blocks went down when C evicted them (C's own only when B needed room, if ever).
    expect(withHost.summary.hostTier!.offloadedBlocks).toBeGreaterThanOrEqual(4);

    const without = simulateServing(base);
    const computed = without.iterations.find((i) => i.start >= 20)!;
    expect(without.requests[2]).toMatchObject({ prefixHitTokens: 0, hostHitTokens: 0 });
    expect(computed.start).toBe(20);
    expect(computed.prefillTokens).toBe(4 * B);
    expect(without.summary.hostTier).toBeNull();
  });

  it("iteration rows report the bytes each link carried since the last row, never faster than the link", () => {
    const trace = readServingTrace("tests/fixtures/mooncake/synthetic_trace.jsonl").slice(0, 800);
    const sim = simulateServing({ requests: trace, model, gpu, kvBlocks: 400, blockSize: 512, maxNumSeqs: 8, hostTier: { blocks: 4000 } });
    const host = sim.summary.hostTier!;
    let lastEnd = 0;
    let up = 0;
    let down = 0;
    for (const i of sim.iterations) {
      const end = i.start + i.duration;
      const most = HOST_LINKS.pcie4.bytesPerS * (end - lastEnd) * (1 + 1e-9);
      expect(i.bytesFromHost).toBeLessThanOrEqual(most);
      expect(i.bytesToHost).toBeLessThanOrEqual(most);
      expect(i.hostBlocksCached).toBeLessThanOrEqual(4000);
      up += i.bytesFromHost;
      down += i.bytesToHost;
      lastEnd = end;
    }
    // Every load ends before its request computes; an offload may still be under way after the last iteration.
    expect(up).toBeCloseTo(host.bytesFromHost, 0);
    expect(down).toBeLessThanOrEqual(host.bytesToHost);
    expect(host.bytesFromHost).toBeGreaterThan(0);
  });

  it("layer-wise loads let the request compute at once, each layer waiting for its share: the batch ends at max(first layer + compute, last layer + one layer's compute)", () => {
    const whole = simulateServing({ ...base, hostTier: { blocks: 64 } });
    const layerwise = simulateServing({ ...base, hostTier: { blocks: 64, loadOverlap: "layerwise" } });
    expect(layerwise.requests[2]!.hostHitTokens).toBe(3 * B);
    // The same batch (B's last 16 tokens) computes in both runs; whole loads run it after the load.
    const after = whole.iterations.find((i) => i.start >= 20)!;
    const d = after.duration;
    const batch = layerwise.iterations.find((i) => i.start >= 20)!;
    expect(batch.start).toBe(20);
    expect(batch.prefillTokens).toBe(B);
    const link = HOST_LINKS.pcie4;
    const transfer = (3 * BLOCK_BYTES) / link.bytesPerS;
    const loadEnd = 20 + link.latencyS + transfer;
    const firstLayer = loadEnd - (transfer * (model.layers - 1)) / model.layers;
    expect(batch.duration).toBeCloseTo(Math.max(firstLayer + d, loadEnd + d / model.layers) - 20, 12);
    // Pipelining hides all but the first layer's transfer: sooner than waiting for the whole load.
    expect(batch.start + batch.duration).toBeLessThan(after.start + after.duration);
    expect(layerwise.summary.hostTier!.loadOverlap).toBe("layerwise");
    expect(whole.summary.hostTier!.loadOverlap).toBe("none");
  });

  it("swap preemption copies a request's blocks down and back over the link, so none of its tokens is computed twice; recompute computes them again", () => {
    // Two requests of 40-token prompts and 40 outputs on 6 blocks: decoding, the first needs a 4th block and preempts the second.
    const requests: ServingRequest[] = [{ arrival: 0, prompt: 40, output: 40 }, { arrival: 0, prompt: 40, output: 40 }];
    const options: SimulateServingOptions = { requests, model, gpu, kvBlocks: 6, blockSize: B, maxNumSeqs: 4 };
    const prefilled = (sim: ReturnType<typeof simulateServing>) => sim.iterations.reduce((n, i) => n + i.prefillTokens, 0);
    const swap = simulateServing({ ...options, hostTier: { blocks: 16, preemption: "swap" } });
    const recompute = simulateServing({ ...options, hostTier: { blocks: 16 } });
    const gpuOnly = simulateServing(options);
    for (const sim of [swap, recompute]) expect(sim.summary.preemptions).toBeGreaterThan(0);
    expect(prefilled(swap)).toBe(80);
    expect(prefilled(gpuOnly)).toBeGreaterThan(80);
    const h = swap.summary.hostTier!;
    expect(h.preemption).toBe("swap");
    expect(h.swappedOutBlocks).toBeGreaterThan(0);
    // What went down came back, less what the GPU still cached when the request resumed.
    expect(h.swappedInBlocks).toBeGreaterThan(0);
    expect(h.swappedInBlocks).toBeLessThanOrEqual(h.swappedOutBlocks);
    expect(h.bytesToHost).toBe((h.offloadedBlocks + h.swappedOutBlocks) * BLOCK_BYTES);
    expect(h.bytesFromHost).toBe((h.loadedBlocks + h.swappedInBlocks) * BLOCK_BYTES);
    expect(recompute.summary.hostTier).toMatchObject({ preemption: "recompute", swappedOutBlocks: 0, swappedInBlocks: 0 });
    // Every output token still comes, in order.
    for (const sim of [swap, recompute]) for (const r of sim.requests) expect(r.completion).toBeGreaterThan(r.firstToken);
  });

  it("if-faster loads a host prefix only when the link beats recomputing it: over PCIe 4.0 a long prefix loads, over 1 GB/s it is computed, and TTFT is never worse", () => {
    // A's 64 blocks go to the host when C fills the GPU; B has A's content.
    const requests = [request(0, 1, 64), request(10, 2, 74), request(20, 1, 64)];
    const run = (link: "pcie4" | { bytesPerS: number; latencyS: number }, load: "always" | "if-faster") =>
      simulateServing({ requests, model, gpu, kvBlocks: 75, blockSize: B, maxNumSeqs: 4, hostTier: { blocks: 256, link, load } }).requests[2]!;
    const slow = { bytesPerS: 1e9, latencyS: 1e-5 };
    expect(run("pcie4", "if-faster")).toEqual(run("pcie4", "always"));
    // All but the last token's block hit, on the GPU or loaded.
    const hit = (r: { prefixHitTokens: number; hostHitTokens: number }) => r.prefixHitTokens + r.hostHitTokens;
    expect(hit(run("pcie4", "if-faster"))).toBe(63 * B);
    expect(run("pcie4", "if-faster").hostHitTokens).toBeGreaterThan(0);
    expect(hit(run(slow, "always"))).toBe(63 * B);
    const computed = run(slow, "if-faster");
    expect(computed.hostHitTokens).toBe(0);
    expect(hit(computed)).toBeLessThan(63 * B);
    expect(computed.ttft).toBeLessThan(run(slow, "always").ttft);
    // It still counts as matched: the blocks were found, then recomputed by choice.
    expect(computed.matchedPrefixBlocks).toBe(64);
  });

  it("write-through copies blocks as they fill, so the host holds them before any eviction", () => {
    const sim = simulateServing({ ...base, hostTier: { blocks: 64, offload: "write-through" } });
    expect(sim.requests[2]!.hostHitTokens).toBe(3 * B);
    // Every full block of A and C was copied once as it filled (4 + 13); B's were there already.
    expect(sim.summary.hostTier).toMatchObject({ offloadedBlocks: 17, offload: "write-through" });
  });

  it("a larger host tier never lowers the hits, and never changes what the GPU finds (Mooncake's trace, LRU)", () => {
    const trace = readServingTrace("tests/fixtures/mooncake/synthetic_trace.jsonl").slice(0, 1500);
    const options: SimulateServingOptions = { requests: trace, model, gpu, kvBlocks: 400, blockSize: 512, maxNumSeqs: 1 };
    const gpuOnly = simulateServing(options).summary.prefixHitTokens;
    let last = gpuOnly;
    for (const blocks of [200, 1000, 3000, 9000]) {
      const s = simulateServing({ ...options, hostTier: { blocks } }).summary;
      expect(s.prefixHitTokens, `${blocks} host blocks`).toBe(gpuOnly);
      const total = s.prefixHitTokens + s.hostTier!.hitTokens;
      expect(total, `${blocks} host blocks`).toBeGreaterThanOrEqual(last);
      // Bytes add up: every hit token came up in a whole block.
      expect(s.hostTier!.loadedBlocks).toBe(s.hostTier!.hitTokens / 512);
      expect(s.hostTier!.bytesFromHost).toBe(s.hostTier!.loadedBlocks * kvBytesPerToken(model) * 512);
      // One request at a time never preempts: every prompt token was found on the GPU, loaded, or prefilled once.
      expect(s.preemptions).toBe(0);
      expect(s.tokens).toEqual({ prompt: trace.reduce((n, r) => n + r.prompt, 0), gpuHit: s.prefixHitTokens, hostHit: s.hostTier!.hitTokens, prefilled: s.tokens.prompt - total });
      last = total;
    }
    expect(last).toBeGreaterThan(gpuOnly);
  });

  it("keeps the pool's invariants in both tiers after every iteration, under every block policy and offload mode, both load overlaps, preemptions and cache models, and its clock only moves forward", () => {
    const requests = syntheticRequests({
      requests: 300, arrivals: { kind: "poisson", qps: 30 }, prompt: { kind: "uniform", min: 1, max: 900 }, output: { kind: "uniform", min: 1, max: 100 },
      sessions: { turns: { kind: "uniform", min: 1, max: 5 }, thinkTimeS: 0.4, systemPromptTokens: 300 },
    }, 3);
    // Every block policy in both offload modes (S3-FIFO's ghost and the policies that keep pinned
    // pages included), policies taking turns at layer-wise loads, swap preemption and the replay
    // cache model; the host tier evicts by the GPU's policy, by the next policy (write-back), or by
    // the one after it (write-through), so every policy also evicts a host tier below each of two others.
    // belady is given the trace's future, as simulate.ts gives it.
    const n = BLOCK_POLICIES.length;
    const cases = BLOCK_POLICIES.flatMap((policy, p) => [TimedOffload.onEviction, TimedOffload.whenFull].flatMap((offload, o) => [undefined, BLOCK_POLICIES[(p + 1 + o) % n]!].map((host) =>
      [policy, offload, p % 2 ? model.layers : 0, p % 3 === 2 ? TimedCacheModel.replay : TimedCacheModel.vllm, p % 2 === 0, p, host] as const)));
    for (const [policy, offload, loadLayers, cacheModel, swapPreemption, p, host] of cases) {
      const future = [policy, host].some((name) => name !== undefined && policyInfo(name).future)
        ? requestFuture(requests, requests.map((_, i) => i), B, cacheModel === TimedCacheModel.replay, true, "eviction")
        : undefined;
      const engine = new TimedEngine();
      engine.start({
        scheduler: TimedScheduler.vllm, kvBlocks: 300, blockSize: B, maxNumSeqs: 24, maxBatchedTokens: 512, chunkSize: 512, watermarkBlocks: 0,
        prefixCaching: true, maxBlocksPerRequest: 300, timeModel: rooflineTimeModel(model, gpu).engine!, eviction: blockEviction(policy), seed: 0, keepGaps: true,
        hostTier: { blocks: 150, offload, blockBytes: BLOCK_BYTES, linkBytesPerS: 25e9, linkLatencyS: 1e-5, loadLayers, swapPreemption, loadIfFaster: p % 4 < 2, ...(host ? { eviction: blockEviction(host) } : {}) }, cacheModel, future,
      });
      engine.feed(requests, requests.map((_, i) => i));
      engine.endInput();
      let last = -Infinity;
      for (;;) {
        const stop = engine.run(1);
        engine.rows();
        engine.drained();
        if (stop === TimedStop.done) break;
        expect(engine.check(), `${policy}, host ${host ?? "the GPU's"}, offload ${offload}`).toBe(TimedInvariant.ok);
        const { clock } = engine.state();
        expect(clock).toBeGreaterThanOrEqual(last);
        last = clock;
      }
      const counters = engine.hostCounters();
      expect(counters.loadedBlocks, policy).toBeGreaterThan(0);
      expect(counters.offloadedBlocks, policy).toBeGreaterThan(0);
      // The cache is small enough to preempt: with swapping, some preemptions swap.
      if (swapPreemption) expect(counters.swappedOutBlocks, policy).toBeGreaterThan(0);
      else expect(counters.swappedOutBlocks, policy).toBe(0);
    }
  });

  describe("the host tier's own eviction policy", () => {
    // A whole-GPU request: 3 content blocks named `name`·k and 15 more tokens, with its output token 4 blocks: a 4-block GPU.
    const whole = (arrival: number, name: number) => request(arrival, name, 3, B - 1);
    const handOptions = (eviction: string | undefined): SimulateServingOptions => ({
      // A, B fill the 6-block host; A comes back (read from the host); C's copies need 3 host blocks; A again.
      requests: [whole(0, 1), whole(10, 2), whole(20, 1), whole(30, 3), whole(40, 1)], model, gpu, kvBlocks: 4, blockSize: B, maxNumSeqs: 1,
      hostTier: { blocks: 6, offload: "write-through", ...(eviction ? { eviction } : {}) },
    });

    it("decides which offloaded prefix survives: lru keeps A, read again from the host, where fifo drops it as the first in", () => {
      const lru = simulateServing(handOptions("lru"));
      const fifo = simulateServing(handOptions("fifo"));
      // Both read A's 3 blocks from the host the second time.
      for (const sim of [lru, fifo]) expect(sim.requests[2]).toMatchObject({ prefixHitTokens: 0, hostHitTokens: 3 * B });
      expect(lru.requests[4]).toMatchObject({ prefixHitTokens: 0, hostHitTokens: 3 * B });
      expect(fifo.requests[4]).toMatchObject({ prefixHitTokens: 0, hostHitTokens: 0 });
      expect(lru.summary.hostTier!.eviction).toBe("lru");
      expect(fifo.summary.hostTier!.eviction).toBe("fifo");
      // The GPU's policy (lru by default) is the host's unless given: the lru run's.
      const byDefault = simulateServing(handOptions(undefined));
      expect(byDefault.requests).toEqual(lru.requests);
      expect(byDefault.summary.hostTier!.eviction).toBe("lru");
    });

    it("never changes the other tier's decisions: each host policy does the same under every GPU policy where the GPU has no choice, and as when it evicted both tiers", () => {
      // Every request needs the whole GPU, so a GPU evicts all it caches but the hit prefix,
      // whatever its policy; write-through copies blocks as they are cached, not as they are evicted.
      // Only the host's policy decides what is found there: a setting another tier's policy needs
      // (its tier order kept, pinning allowed) must not change it.
      const requests = Array.from({ length: 120 }, (_, i) => whole(i * 10, 1 + ((i * 7 + (i >> 2)) % 5)));
      const run = (gpuPolicy: string, host: string | undefined) => simulateServing({
        requests, model, gpu, kvBlocks: 4, blockSize: B, maxNumSeqs: 1, eviction: gpuPolicy, hostTier: { blocks: 9, offload: "write-through", ...(host ? { eviction: host } : {}) },
      });
      const outcome = (sim: ReturnType<typeof simulateServing>) => ({ requests: sim.requests, host: { ...sim.summary.hostTier, eviction: undefined } });
      const hits = new Set<number>();
      for (const host of BLOCK_POLICIES) {
        // Alone, the policy evicts both tiers as one instance; random's draws then interleave with the
        // GPU's (one generator), so its reference is under a GPU policy that draws nothing.
        const reference = outcome(host === "random" ? run("lru", "random") : run(host, undefined));
        hits.add(reference.host.hitTokens!);
        expect(reference.host.hitTokens, host).toBeGreaterThan(0);
        for (const gpuPolicy of BLOCK_POLICIES) {
          if (gpuPolicy === host) continue;
          expect(outcome(run(gpuPolicy, host)), `GPU ${gpuPolicy}, host ${host}`).toEqual(reference);
        }
      }
      // The host's policy matters here: not every one finds the same.
      expect(hits.size).toBeGreaterThan(1);
    });

    it("never changes the GPU's decisions where the host cannot reach the GPU (nothing loaded from it): Mooncake's trace, every pair of policies", () => {
      // Over a 1 MB/s link, if-faster never loads: the host tier only takes offloads, and the GPU
      // must find and time everything as it does above a host tier of its own policy.
      const trace = readServingTrace("tests/fixtures/mooncake/synthetic_trace.jsonl").slice(0, 300);
      const run = (gpuPolicy: string, host: string | undefined) => simulateServing({
        requests: trace, model, gpu, kvBlocks: 400, blockSize: 512, maxNumSeqs: 8, eviction: gpuPolicy,
        hostTier: { blocks: 1000, link: { bytesPerS: 1e6, latencyS: 1e-5 }, load: "if-faster", ...(host ? { eviction: host } : {}) },
      });
      // matchedPrefixBlocks counts blocks found in the host and computed by choice: the host's policy decides it.
      const gpuSide = (sim: ReturnType<typeof simulateServing>) => sim.requests.map(({ matchedPrefixBlocks, ...r }) => r);
      for (const gpuPolicy of BLOCK_POLICIES) {
        // Random's reference is above lru: random evicting both tiers draws for both from one generator.
        const referenceHost = gpuPolicy === "random" ? "lru" : undefined;
        const own = run(gpuPolicy, referenceHost);
        expect(own.summary.hostTier!.loadedBlocks, gpuPolicy).toBe(0);
        expect(own.summary.hostTier!.offloadedBlocks, gpuPolicy).toBeGreaterThan(0);
        expect(own.summary.prefixHitTokens, gpuPolicy).toBeGreaterThan(0);
        for (const host of BLOCK_POLICIES) {
          if (host === gpuPolicy || host === referenceHost) continue;
          expect(gpuSide(run(gpuPolicy, host)), `GPU ${gpuPolicy}, host ${host}`).toEqual(gpuSide(own));
        }
      }
    });

    it("given as the GPU's, gives exactly the run without it (Mooncake's trace)", () => {
      const trace = readServingTrace("tests/fixtures/mooncake/synthetic_trace.jsonl").slice(0, 800);
      for (const eviction of ["lru", "s3fifo"]) {
        const options: SimulateServingOptions = { requests: trace, model, gpu, kvBlocks: 400, blockSize: 512, maxNumSeqs: 8, eviction, hostTier: { blocks: 2000 } };
        const without = simulateServing(options);
        const given = simulateServing({ ...options, hostTier: { blocks: 2000, eviction } });
        expect(given.requests).toEqual(without.requests);
        expect({ ...given.summary, simulationMs: 0 }).toEqual({ ...without.summary, simulationMs: 0 });
        expect(without.summary.hostTier!.loadedBlocks).toBeGreaterThan(0);
      }
    });

    it("refuses an unknown policy and one that cannot evict blocks, naming the field; belady reads the trace's future", () => {
      const bad = (eviction: string) => () => simulateServing({ ...handOptions(eviction) });
      expect(bad("nope")).toThrow(KvsimInputError);
      expect(bad("nope")).toThrow(/host tier: eviction: unknown or unsupported block eviction policy "nope"/);
      expect(bad("cost_aware")).toThrow(/host tier: eviction: unknown or unsupported block eviction policy "cost_aware"/);
      // A's next use (the last request) is sooner than B's and C's (never): belady keeps it, as lru does (tests/timed/belady.test.ts has them differ).
      const belady = simulateServing(handOptions("belady"));
      expect(belady.requests[4]).toMatchObject({ prefixHitTokens: 0, hostHitTokens: 3 * B });
      expect(belady.summary.hostTier!.eviction).toBe("belady");
      // The GPU's belady evicts the host tier when none is given (one instance for both, as before host policies).
      expect(simulateServing({ ...handOptions(undefined), eviction: "belady" }).summary.hostTier!.eviction).toBe("belady");
    });

    it("kvsim serving simulate --host-eviction and sweeps' hostEviction choose it", async () => {
      const args = ["serving", "simulate", "--trace", "tests/fixtures/mooncake/synthetic_trace.jsonl", "--model", "llama-3-8b", "--gpu", "h100-sxm",
        "--kv-blocks", "400", "--block-size", "512", "--max-num-seqs", "4", "--host-blocks", "2000", "--json"];
      const fifo = await runCli([...args, "--host-eviction", "fifo"]);
      expect(fifo.code, fifo.stderr).toBe(0);
      expect(JSON.parse(fifo.stdout).hostTier.eviction).toBe("fifo");
      const belady = await runCli([...args, "--host-eviction", "belady"]);
      expect(belady.code, belady.stderr).toBe(0);
      expect(JSON.parse(belady.stdout).hostTier.eviction).toBe("belady");
      const dir = mkdtempSync(join(tmpdir(), "kvsim-host-eviction-"));
      try {
        const file = join(dir, "spec.json");
        const spec = (schedulers: unknown[]) => writeFileSync(file, JSON.stringify({
          name: "tiers", kind: "serving", workloads: [{ trace: join(process.cwd(), "tests/fixtures/mooncake/synthetic_trace.jsonl"), label: "mooncake" }],
          deployments: [{ model: "llama-3-8b", gpu: "h100-sxm" }], schedulers, kvBlocks: [400], qps: [4],
        }));
        spec([{ name: "vllm", blockSize: 512, hostEviction: "fifo" }]);
        const noHost = await runCli(["sweep", file, "--out", join(dir, "a")]);
        expect(noHost.code).toBe(2);
        expect(noHost.stderr).toMatch(/schedulers\.0: hostEviction evicts a host tier's blocks: give hostBlocks/);
        spec([{ name: "vllm", blockSize: 512, hostBlocks: 100, hostEviction: "nope" }]);
        const unknown = await runCli(["sweep", file, "--out", join(dir, "b")]);
        expect(unknown.code).toBe(2);
        expect(unknown.stderr).toMatch(/schedulers\.0: hostEviction: unknown or unsupported block eviction policy "nope"/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  it("kvsim serving simulate --host-blocks reports the tier in its table and its JSON", async () => {
    const args = ["serving", "simulate", "--trace", "tests/fixtures/mooncake/synthetic_trace.jsonl", "--model", "llama-3-8b", "--gpu", "h100-sxm",
      "--kv-blocks", "400", "--block-size", "512", "--max-num-seqs", "4", "--host-blocks", "4000", "--host-link", "pcie5", "--offload", "write-through"];
    const text = await runCli(args);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/host tier \(4000 blocks, write-through\): \d+ prompt tokens loaded instead of computed/);
    const out = mkdtempSync(join(tmpdir(), "kvsim-host-out-"));
    try {
      expect((await runCli([...args, "--out", out])).code).toBe(0);
      expect(readFileSync(join(out, "iterations.csv"), "utf8").split("\n")[0]).toMatch(/,host_blocks_cached,bytes_to_host,bytes_from_host$/);
      const svg = readFileSync(join(out, "host-tier.svg"), "utf8");
      for (const text of ["host blocks cached", "link traffic (GB/s carried, mean in bin)", "host → GPU (loads)", "simulated"]) expect(svg).toContain(text);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
    const json = await runCli([...args, "--json"]);
    const { hostTier } = JSON.parse(json.stdout);
    expect(hostTier).toMatchObject({ blocks: 4000, offload: "write-through", link: { bytesPerS: HOST_LINKS.pcie5.bytesPerS, latencyS: HOST_LINKS.pcie5.latencyS } });
    expect(hostTier.hitTokens).toBeGreaterThan(0);
  });

  it("serving sweeps take a host tier per scheduler entry, and refuse one where it cannot run", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kvsim-host-sweep-"));
    try {
      const spec = (schedulers: unknown[]) => {
        const file = join(dir, `spec-${schedulers.length}.json`);
        writeFileSync(file, JSON.stringify({
          name: "tiers", kind: "serving", workloads: [{ trace: join(process.cwd(), "tests/fixtures/mooncake/synthetic_trace.jsonl"), label: "mooncake" }],
          deployments: [{ model: "llama-3-8b", gpu: "h100-sxm" }], schedulers, kvBlocks: [400], qps: [4],
        }));
        return file;
      };
      const ok = await runCli(["sweep", spec([{ name: "vllm", blockSize: 512, label: "gpu" }, { name: "vllm", blockSize: 512, hostBlocks: 4000, hostLink: 16, label: "host" }]), "--out", join(dir, "out"), "--json"]);
      expect(ok.code, ok.stderr).toBe(0);
      const rows = readFileSync(join(dir, "out", "results.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { scheduler: string; metrics: Record<string, number> });
      expect(rows.map((r) => r.scheduler)).toEqual(["gpu", "host"]);
      expect(rows[0]!.metrics["hostTier.hitTokens"]).toBeUndefined();
      expect(rows[1]!.metrics["hostTier.hitTokens"]).toBeGreaterThan(0);
      const bad = await runCli(["sweep", spec([{ name: "sarathi", hostBlocks: 10 }]), "--out", join(dir, "bad")]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/schedulers\.0: hostBlocks needs the vllm scheduler with prefix caching/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("is refused where it cannot run: another scheduler, no prefix caching, the reference schedulers", () => {
    expect(() => simulateServing({ ...base, scheduler: "sarathi", kvBlocks: 100, hostTier: { blocks: 8 } })).toThrow(/a host tier needs the vllm scheduler with prefix caching/);
    expect(() => simulateServing({ ...base, prefixCaching: false, hostTier: { blocks: 8 } })).toThrow(/a host tier needs the vllm scheduler/);
    expect(() => simulateServing({ ...base, reference: true, hostTier: { blocks: 8 } })).toThrow(/runs on the WebAssembly engine only/);
    expect(() => simulateServing({ ...base, hostTier: { blocks: 8, link: "pcie9" as "pcie4" } })).toThrow(/unknown link "pcie9"/);
    expect(() => simulateServing({ ...base, hostTier: { blocks: 8, loadOverlap: "layers" as "none" } })).toThrow(/loadOverlap must be none or layerwise/);
    expect(() => simulateServing({ ...base, hostTier: { blocks: 8, preemption: "evict" as "swap" } })).toThrow(/preemption must be recompute or swap/);
    expect(() => simulateServing({ ...base, hostTier: { blocks: 8, load: "never" as "always" } })).toThrow(/load must be always or if-faster/);
  });
});
