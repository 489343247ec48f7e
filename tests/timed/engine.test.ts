import { describe, expect, it } from "vitest";
import { TimedStop } from "../../assembly/abi/timed.js";
import { KvsimInputError } from "../../src/errors.js";
import { gpuPreset } from "../../src/timed/gpus.js";
import { modelPreset } from "../../src/timed/models.js";
import { readProfileTables } from "../../src/timed/profile-tables.js";
import { readRequestsCsv, type ServingRequest } from "../../src/timed/requests.js";
import { rooflineTimeModel } from "../../src/timed/roofline.js";
import { simulateServing, simulateServingStream, type SchedulerName, type ServingSimulation, type SimulateServingOptions } from "../../src/timed/simulate.js";
import { syntheticRequests, syntheticStream, type SyntheticWorkloadInput } from "../../src/timed/workloads.js";
import { blockEviction } from "../../src/wasm/block-eviction.js";
import { TimedEngine, TimedInvariant, TimedRequestRow, TimedScheduler } from "../../src/wasm/timed.js";

const model = modelPreset("llama-2-7b");
const gpu = gpuPreset("a100-80gb");
const tables = readProfileTables("tests/fixtures/vidur/predictor_tables");
const fixed = readRequestsCsv("tests/fixtures/vidur/fixed_p1024_d256_n1000_q3.0_requests_in.csv");

const chat: SyntheticWorkloadInput = {
  requests: 600, arrivals: { kind: "poisson", qps: 30 },
  prompt: { kind: "uniform", min: 1, max: 900 }, output: { kind: "uniform", min: 1, max: 200 },
  sessions: { turns: { kind: "uniform", min: 1, max: 5 }, thinkTimeS: 0.4, systemPromptTokens: 300 },
};
const sessions = syntheticRequests(chat, 5);

/** A run as text, but for the wall time it took. */
const text = (sim: ServingSimulation): string => JSON.stringify({ ...sim, summary: { ...sim.summary, simulationMs: 0 } });

describe("the WebAssembly engine runs exactly what the TypeScript reference schedulers run", () => {
  const cases: [string, SchedulerName, Partial<SimulateServingOptions>][] = [
    ["vidur-vllm on the tables", "vidur-vllm", { timeModel: tables }],
    ["sarathi on the tables", "sarathi", { timeModel: tables }],
    ["vidur-vllm on the roofline, a small cache", "vidur-vllm", { kvBlocks: 900 }],
    ["sarathi on the roofline, chunk 256", "sarathi", { chunkSize: 256, kvBlocks: 1200 }],
    ["vllm on the roofline", "vllm", {}],
    ["vllm on the tables, preempting", "vllm", { timeModel: tables, kvBlocks: 700, maxBatchedTokens: 2048, maxNumSeqs: 64 }],
  ];
  it.each(cases)("%s: every request, iteration and summary figure on Vidur's fixed-length run", (_, scheduler, extra) => {
    const options: SimulateServingOptions = { requests: fixed, model, gpu, scheduler, ...extra };
    expect(text(simulateServing(options))).toBe(text(simulateServing({ ...options, reference: true })));
  });

  it.each([
    ["lru", {}], ["s3fifo", {}], ["random", { seed: 7 }], ["fifo", { prefixCaching: false }],
  ] as const)("vllm with prefix hits and preemptions, %s eviction %j", (eviction, extra) => {
    const options: SimulateServingOptions = { requests: sessions, model, gpu, kvBlocks: 500, maxNumSeqs: 32, maxBatchedTokens: 768, eviction, ...extra };
    const sim = simulateServing(options);
    expect(text(sim)).toBe(text(simulateServing({ ...options, reference: true })));
    expect(sim.summary.preemptions).toBeGreaterThan(0);
    if (options.prefixCaching !== false) expect(sim.summary.prefixHitTokens).toBeGreaterThan(0);
    else expect(sim.summary.prefixHitTokens).toBe(0);
  });

  it("Mixtral's routed experts and tensor parallelism time alike (the roofline's integer power)", () => {
    const mixtral = modelPreset("mixtral-8x7b");
    const options: SimulateServingOptions = { requests: sessions.slice(0, 200), model: mixtral, gpu, tensorParallel: 2 };
    expect(text(simulateServing(options))).toBe(text(simulateServing({ ...options, reference: true })));
  });
});

describe("the engine's vllm scheduler keeps its invariants after every iteration", () => {
  it.each([1, 2])("seed %i, a cache under pressure", (seed) => {
    const requests = syntheticRequests({ ...chat, requests: 300 }, seed);
    const roofline = rooflineTimeModel(model, gpu);
    const engine = new TimedEngine();
    engine.start({
      scheduler: TimedScheduler.vllm, kvBlocks: 400, blockSize: 16, maxNumSeqs: 24, maxBatchedTokens: 512, chunkSize: 512, watermarkBlocks: 0,
      prefixCaching: true, maxBlocksPerRequest: 400, timeModel: roofline.engine!, eviction: blockEviction("lru"), seed: 0, keepGaps: true,
    });
    engine.feed(requests, requests.map((_, i) => i));
    engine.endInput();
    let last = -Infinity;
    let iterations = 0;
    const completed = new Set<number>();
    for (;;) {
      const stop = engine.run(1);
      const rows = engine.rows();
      for (let k = 0; k < rows.requestCount; k++) {
        const id = rows.requests[k * TimedRequestRow.COUNT + TimedRequestRow.id]!;
        expect(completed.has(id), `request ${id} completes once`).toBe(false);
        completed.add(id);
      }
      engine.drained();
      if (stop === TimedStop.done) break;
      expect(stop).toBe(TimedStop.paused);
      iterations++;
      const state = engine.state();
      expect(state.clock).toBeGreaterThan(last);
      last = state.clock;
      expect(state.running).toBeLessThanOrEqual(24);
      expect(state.usedBlocks).toBeLessThanOrEqual(400);
      expect(engine.check()).toBe(TimedInvariant.ok);
    }
    expect(completed.size).toBe(requests.length);
    expect(iterations).toBeGreaterThan(100);
  });
});

describe("streamed runs", () => {
  const spec: SyntheticWorkloadInput = { ...chat, requests: 9000, arrivals: { kind: "poisson", qps: 12 } };

  it("a stream of requests gives the summary the same requests as an array give, feeding in chunks and growing the request table", () => {
    const rows: number[] = [];
    let iterations = 0;
    const summary = simulateServingStream({ requests: syntheticStream(spec, 3), model, gpu }, {
      request: (r) => rows.push(r.requestId), iteration: () => iterations++,
    });
    const whole = simulateServing({ requests: syntheticRequests(spec, 3), model, gpu });
    expect({ ...summary, simulationMs: 0 }).toEqual({ ...whole.summary, simulationMs: 0 });
    expect(iterations).toBe(whole.iterations.length);
    expect(rows.slice().sort((a, b) => a - b)).toEqual(Array.from({ length: 9000 }, (_, i) => i));
  });

  it("past the exact-gap limit, ITL percentiles come from the histogram within its resolution; mean and max stay exact", () => {
    const requests = syntheticRequests({ ...spec, requests: 1500 }, 4);
    const exact = simulateServing({ requests, model, gpu }).summary.itl;
    const approx = simulateServingStream({ requests, model, gpu, exactGaps: 1000 }, { request: () => {}, iteration: () => {} }).itl;
    for (const k of ["p50", "p90", "p99"] as const) expect(Math.abs(approx[k] / exact[k] - 1)).toBeLessThan(2 ** -10);
    expect(approx.max).toBe(exact.max);
    expect(approx.mean).toBeCloseTo(exact.mean, 12);
  });

  it("progress is reported as the run goes, and requests out of arrival order are refused by index", () => {
    const seen: number[] = [];
    simulateServingStream({ requests: syntheticStream({ ...spec, requests: 2000 }, 1), model, gpu, progressEvery: 200, onProgress: (n) => seen.push(n) }, {
      request: () => {}, iteration: () => {},
    });
    expect(seen.length).toBeGreaterThan(3);
    expect(seen).toEqual(seen.slice().sort((a, b) => a - b));
    const late: ServingRequest[] = [{ arrival: 1, prompt: 10, output: 5 }, { arrival: 0.5, prompt: 10, output: 5 }];
    expect(() => simulateServingStream({ requests: late, model, gpu }, { request: () => {}, iteration: () => {} }))
      .toThrow(/request 1 arrives at 0.5 s, before the one fed before it/);
  });
});

describe("bad runs are refused before they start", () => {
  it("the profile tables refuse batches and requests they cannot time, naming the limit", () => {
    expect(() => simulateServing({ requests: fixed, model, gpu, timeModel: tables })).toThrow(KvsimInputError);
    expect(() => simulateServing({ requests: fixed, model, gpu, timeModel: tables })).toThrow(/at most 4096 tokens: max batched tokens 8192/);
    const long: ServingRequest[] = [{ arrival: 0, prompt: 4000, output: 200 }];
    expect(() => simulateServing({ requests: long, model, gpu, scheduler: "vidur-vllm", timeModel: tables })).toThrow(/request 0 has 4200 tokens/);
  });

  it("a model that does not fit its GPU is refused also when the KV blocks are given", () => {
    const one: ServingRequest[] = [{ arrival: 0, prompt: 10, output: 5 }];
    for (const scheduler of ["vllm", "sarathi"] as const) {
      expect(() => simulateServing({ requests: one, model: modelPreset("llama-3-70b"), gpu: gpuPreset("l4"), kvBlocks: 100, scheduler }))
        .toThrow(/llama-3-70b does not fit 1 × l4/);
    }
  });

  it("a request Vidur's schedulers could never admit is refused: larger than the cache above its watermark, or a prompt past vidur-vllm's budget", () => {
    const big: ServingRequest[] = [{ arrival: 0, prompt: 1100, output: 10 }];
    expect(() => simulateServing({ requests: big, model, gpu, scheduler: "sarathi", kvBlocks: 64 })).toThrow(/request 0 needs 70 KV blocks.*cache's 64 above the watermark/);
    // vidur-vllm admits a prompt in one padded batch (the contract's §12).
    expect(() => simulateServing({ requests: big, model, gpu, scheduler: "vidur-vllm", maxBatchedTokens: 1024 }))
      .toThrow(/request 0's prompt of 1100 tokens exceeds vidur-vllm's max batched tokens 1024/);
  });
});
