import { describe, expect, it } from "vitest";
import { prefixReplay } from "../../src/serving/prefix-replay.js";
import { gpuPreset } from "../../src/timed/gpus.js";
import { modelPreset } from "../../src/timed/models.js";
import type { ServingRequest } from "../../src/timed/requests.js";
import { simulateServing, type SimulateServingOptions } from "../../src/timed/simulate.js";
import { readServingTrace } from "../../src/timed/trace-formats.js";
import { readMooncakeTrace } from "../../src/traces/formats/mooncake.js";
import { runCli } from "../helpers/cli.js";

const MOONCAKE = "tests/fixtures/mooncake/synthetic_trace.jsonl";
const model = modelPreset("llama-3-8b");
const gpu = gpuPreset("h100-sxm");
const B = 16;

/** A request whose prompt is `tokens` tokens of content `name` (the same name, the same tokens), generating `output` tokens. */
const request = (arrival: number, name: number, tokens: number, output = 1): ServingRequest => ({
  arrival, prompt: tokens, output, content: { tokens, blockTokens: B, ids: Array.from({ length: Math.ceil(tokens / B) }, (_, k) => name * 1000 + k) },
});

describe("the vllm pool's cache models (docs/timed.md)", () => {
  it("Mooncake's trace: replay, one request at a time, one-token outputs match prefix-replay's blocks exactly; vLLM's rules do not", async () => {
    const requests = readServingTrace(MOONCAKE).map((r) => ({ ...r, output: 1 }));
    const options: SimulateServingOptions = { requests, model, gpu, kvBlocks: 6000, blockSize: 512, maxNumSeqs: 1 };
    const replay = simulateServing({ ...options, cacheModel: "replay" }).summary.prefixBlocks;
    const reference = prefixReplay({ trace: await readMooncakeTrace(MOONCAKE), capacityBlocks: 6000, policy: "lru" });
    expect(replay).toEqual({ blocks: reference.blocks, matchedBlocks: reference.hitBlocks, hitRate: reference.hitRate });
    expect(replay.hitRate.toFixed(4)).toBe("0.3107");
    // vLLM frees a request's tail first, so its LRU keeps prefixes' heads longer: more matches on this trace.
    const vllm = simulateServing(options).summary.prefixBlocks;
    expect(vllm.blocks).toBe(reference.blocks);
    expect(vllm.matchedBlocks).toBeGreaterThan(reference.hitBlocks);
  });

  it("a host tier only adds matched blocks, per request, in the replay setting", () => {
    const requests = readServingTrace(MOONCAKE).slice(0, 1500).map((r) => ({ ...r, output: 1 }));
    const options: SimulateServingOptions = { requests, model, gpu, kvBlocks: 400, blockSize: 512, maxNumSeqs: 1, cacheModel: "replay" };
    let last = simulateServing(options).requests.map((r) => r.matchedPrefixBlocks);
    for (const blocks of [500, 2000, 8000]) {
      const now = simulateServing({ ...options, hostTier: { blocks } }).requests.map((r) => r.matchedPrefixBlocks);
      now.forEach((m, i) => expect(m, `request ${i}, ${blocks} host blocks`).toBeGreaterThanOrEqual(last[i]!));
      last = now;
    }
  });

  it("replay caches a prompt's partly filled last block and shares it; vLLM caches only full blocks and computes the last token's block", () => {
    // 40 tokens: 2 full blocks and 8 tokens. The second request has the same prompt.
    const requests = [request(0, 1, 40), request(10, 1, 40)];
    const options: SimulateServingOptions = { requests, model, gpu, kvBlocks: 32, blockSize: B, maxNumSeqs: 4 };
    const replay = simulateServing({ ...options, cacheModel: "replay" });
    // All 3 blocks match; the last token is still computed, so 39 tokens hit.
    expect(replay.requests[1]).toMatchObject({ matchedPrefixBlocks: 3, prefixHitTokens: 39 });
    expect(replay.iterations.find((i) => i.start >= 10)!.prefillTokens).toBe(1);
    const vllm = simulateServing(options);
    expect(vllm.requests[1]).toMatchObject({ matchedPrefixBlocks: 2, prefixHitTokens: 32 });
    expect(vllm.iterations.find((i) => i.start >= 10)!.prefillTokens).toBe(8);
    expect(replay.summary.prefixBlocks).toEqual({ blocks: 6, matchedBlocks: 3, hitRate: 0.5 });
  });

  it("replay frees a request's blocks first to last, so LRU evicts a prefix's head first; vLLM evicts its tail first", () => {
    // A fills 4 of 5 blocks and frees them; B's 2 new blocks take the free one and evict one of A's; then A again.
    const requests = [request(0, 1, 4 * B), request(10, 2, 2 * B), request(20, 1, 4 * B)];
    const options: SimulateServingOptions = { requests, model, gpu, kvBlocks: 5, blockSize: B, maxNumSeqs: 1 };
    // Replay: A's head went, so nothing of A's prefix matches.
    expect(simulateServing({ ...options, cacheModel: "replay" }).requests[2]!.matchedPrefixBlocks).toBe(0);
    // vLLM: A's tail went, so its first 3 blocks match.
    expect(simulateServing(options).requests[2]!.matchedPrefixBlocks).toBe(3);
  });

  it("kvsim serving simulate --cache-model replay --max-output-tokens 1 reproduces prefix-replay's rate, and refuses what cannot run", async () => {
    const args = ["serving", "simulate", "--trace", MOONCAKE, "--model", "llama-3-8b", "--gpu", "h100-sxm", "--kv-blocks", "6000", "--block-size", "512", "--max-num-seqs", "1"];
    const run = await runCli([...args, "--cache-model", "replay", "--max-output-tokens", "1", "--json"]);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as { prefixBlocks: { matchedBlocks: number; hitRate: number }; tpot: { p50: number } };
    expect(summary.prefixBlocks.matchedBlocks).toBe(37_868);
    expect(Number.isNaN(summary.tpot.p50) || summary.tpot.p50 === null).toBe(true);
    const text = await runCli([...args, "--cache-model", "replay", "--max-output-tokens", "1"]);
    expect(text.stdout).toContain("prefix blocks matched at admission: 37868 of 121877 (hit rate 0.3107)");
    for (const bad of [
      [...args, "--cache-model", "replay", "--no-prefix-caching"],
      [...args, "--cache-model", "lru"],
      [...args, "--max-output-tokens", "0"],
    ]) {
      const r = await runCli(bad);
      expect(r.code, bad.join(" ")).toBe(2);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const workload = await runCli(["serving", "simulate", "--workload", "examples/chat-sessions.json", "--model", "llama-3-8b", "--gpu", "h100-sxm", "--max-output-tokens", "4"]);
    expect(workload.code).toBe(2);
    expect(workload.stderr).toContain("--max-output-tokens");
  });

  it("the reference schedulers refuse the replay model rather than ignore it", () => {
    expect(() => simulateServing({ requests: [request(0, 1, 40)], model, gpu, kvBlocks: 32, blockSize: B, cacheModel: "replay", reference: true })).toThrow(/replay cache model/);
    expect(() => simulateServing({ requests: [request(0, 1, 40)], model, gpu, kvBlocks: 32, blockSize: B, cacheModel: "replay", scheduler: "sarathi" })).toThrow(/vllm scheduler/);
  });
});
