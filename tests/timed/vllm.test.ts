import { describe, expect, it } from "vitest";
import { KvsimInputError } from "../../src/errors.js";
import { gpuPreset } from "../../src/timed/gpus.js";
import { modelPreset } from "../../src/timed/models.js";
import type { ServingRequest } from "../../src/timed/requests.js";
import { rooflineTimeModel } from "../../src/timed/roofline.js";
import { simulateServing, type SimulateServingOptions } from "../../src/timed/simulate.js";
import { addToBatch, newIterationBatch } from "../../src/timed/time-model.js";
import { syntheticRequests } from "../../src/timed/workloads.js";

const model = modelPreset("llama-2-7b");
const gpu = gpuPreset("a100-80gb");
const roofline = rooflineTimeModel(model, gpu);

const workload = (seed: number, requests = 300): ServingRequest[] =>
  syntheticRequests({
    requests, arrivals: { kind: "poisson", qps: 40 },
    prompt: { kind: "uniform", min: 1, max: 900 }, output: { kind: "uniform", min: 1, max: 200 },
    sessions: { turns: { kind: "uniform", min: 1, max: 4 }, thinkTimeS: 0.5, systemPromptTokens: 100 },
  }, seed);

describe("the vllm scheduler", () => {
  it.each([1, 2, 3])("keeps vLLM's invariants after every iteration under pressure (seed %i)", (seed) => {
    // The reference checks its pool after every iteration (a full scan): 150 requests keep that quick;
    // the engine runs the same checks on more (tests/timed/engine.test.ts).
    const requests = workload(seed, 150);
    const options: SimulateServingOptions = { requests, model, gpu, kvBlocks: 400, maxNumSeqs: 24, maxBatchedTokens: 512 };
    let last = -Infinity;
    let iterations = 0;
    const sim = simulateServing({
      ...options,
      onIteration: (s) => {
        iterations++;
        expect(s.scheduledTokens).toBeGreaterThan(0);
        expect(s.scheduledTokens).toBeLessThanOrEqual(options.maxBatchedTokens!);
        expect(s.running).toBeLessThanOrEqual(options.maxNumSeqs!);
        expect(s.usedBlocks).toBeLessThanOrEqual(options.kvBlocks!);
        expect(s.time).toBeGreaterThan(last);
        last = s.time;
        for (let r = 0; r < s.computed.length; r++) expect(s.computed[r]).toBeLessThanOrEqual(s.length[r]!);
        s.pool.check();
      },
    });
    expect(sim.iterations).toHaveLength(iterations);
    // Every request completes exactly once, after its first token, having made all its tokens.
    for (const r of sim.requests) {
      expect(Number.isFinite(r.completion)).toBe(true);
      expect(r.firstToken).toBeGreaterThanOrEqual(r.firstScheduled);
      expect(r.completion).toBeGreaterThanOrEqual(r.firstToken);
      expect(r.firstScheduled).toBeGreaterThanOrEqual(r.arrival);
    }
    const tokens = sim.iterations.reduce((n, i) => n + i.prefillTokens + i.decodeTokens, 0);
    const needed = requests.reduce((n, r) => n + r.prompt + r.output - 1, 0);
    const hits = sim.requests.reduce((n, r) => n + r.prefixHitTokens, 0);
    // Computed tokens = every token but each request's last, less the hits, plus what preemption recomputed.
    expect(tokens + hits).toBeGreaterThanOrEqual(needed);
    expect(sim.summary.preemptions).toBeGreaterThan(0);
    expect(hits).toBeGreaterThan(0);
  });

  it("a prefix hit shortens TTFT by exactly the skipped compute", () => {
    const content = { blockTokens: 16, tokens: 1000, ids: Array.from({ length: 63 }, (_, i) => i) };
    const requests: ServingRequest[] = [
      { arrival: 0, prompt: 1000, output: 2, content },
      { arrival: 100, prompt: 1000, output: 2, content },
    ];
    const sim = simulateServing({ requests, model, gpu, timeModel: roofline });
    const [cold, warm] = sim.requests as [typeof sim.requests[0], typeof sim.requests[0]];
    expect(cold.prefixHitTokens).toBe(0);
    expect(warm.prefixHitTokens).toBe(992); // 62 full blocks: the cache never serves a prompt's last token
    const prefill = (tokens: number, context: number): number => {
      const b = newIterationBatch(1);
      addToBatch(b, tokens, context, true, true);
      return roofline.iterationTime(b);
    };
    expect(cold.ttft).toBe(prefill(1000, 0));
    expect(warm.ttft).toBeCloseTo(prefill(8, 992), 12); // arrival + time − arrival: one rounding
    expect(warm.ttft).toBeLessThan(cold.ttft / 5); // a decode-sized step: the weights read once
    // Without prefix caching the second request computes everything again.
    const uncached = simulateServing({ requests, model, gpu, timeModel: roofline, prefixCaching: false });
    expect(uncached.requests[1]!.prefixHitTokens).toBe(0);
    expect(uncached.requests[1]!.ttft).toBeCloseTo(prefill(1000, 0), 12);
  });

  it("decodes one token an iteration after the prefill, TPOT the decode iterations' mean", () => {
    const sim = simulateServing({ requests: [{ arrival: 1, prompt: 64, output: 5 }], model, gpu, timeModel: roofline });
    const r = sim.requests[0]!;
    expect(sim.iterations.map((i) => [i.prefillTokens, i.decodeTokens])).toEqual([[64, 0], [0, 1], [0, 1], [0, 1], [0, 1]]);
    expect(r.firstScheduled).toBe(1);
    expect(r.completion - r.firstToken).toBeCloseTo(sim.iterations.slice(1).reduce((t, i) => t + i.duration, 0), 12);
    expect(r.tpot).toBeCloseTo((r.completion - r.firstToken) / 4, 12);
  });

  it("chunks a long prompt to the token budget", () => {
    const sim = simulateServing({ requests: [{ arrival: 0, prompt: 5000, output: 1 }], model, gpu, maxBatchedTokens: 2048 });
    expect(sim.iterations.map((i) => i.prefillTokens)).toEqual([2048, 2048, 904]);
    expect(sim.requests[0]!.tpot).toBeNaN();
  });

  it("is deterministic", () => {
    const run = () => JSON.stringify(simulateServing({ requests: workload(7, 100), model, gpu, kvBlocks: 200 }).requests);
    expect(run()).toBe(run());
  });

  it("refuses a request the whole cache cannot hold", () => {
    expect(() => simulateServing({ requests: [{ arrival: 0, prompt: 100, output: 100 }], model, gpu, kvBlocks: 10 })).toThrow(KvsimInputError);
  });

  it("reports goodput against the SLOs given", () => {
    const sim = simulateServing({ requests: workload(4, 100), model, gpu, slo: { ttftS: 0.2, tpotS: 0.05 } });
    const good = sim.requests.filter((r) => r.ttft <= 0.2 && (Number.isNaN(r.tpot) || r.tpot <= 0.05)).length;
    expect(sim.summary.goodput!.attainment).toBe(good / 100);
    expect(simulateServing({ requests: workload(4, 10), model, gpu }).summary.goodput).toBeNull();
  });
});
