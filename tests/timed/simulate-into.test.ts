import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { gpuPreset } from "../../src/timed/gpus.js";
import { modelPreset } from "../../src/timed/models.js";
import type { ServingRequest } from "../../src/timed/requests.js";
import type { RequestResult } from "../../src/timed/results.js";
import { simulateServingInto } from "../../src/timed/simulate-into.js";
import { simulateServing } from "../../src/timed/simulate.js";
import { parseServingTrace } from "../../src/timed/trace-formats.js";
import { syntheticRequests, syntheticStream, type SyntheticWorkloadInput } from "../../src/timed/workloads.js";

const options = { model: modelPreset("llama-3-8b"), gpu: gpuPreset("h100-sxm"), kvBlocks: 400 };
const spec: SyntheticWorkloadInput = {
  requests: 300, arrivals: { kind: "poisson", qps: 8 }, prompt: { kind: "uniform", min: 10, max: 900 }, output: { kind: "uniform", min: 1, max: 100 },
  sessions: { turns: { kind: "uniform", min: 1, max: 4 }, thinkTimeS: 2, systemPromptTokens: 64 },
};

/** Runs into a sink that keeps copies of the rows (the engine reuses its row objects). */
function collect(requests: Iterable<ServingRequest>) {
  const rows: RequestResult[] = [];
  let iterations = 0;
  const summary = simulateServingInto(options, requests, { request: (r) => rows.push({ ...r }), iteration: () => iterations++ });
  return { summary: { ...summary, simulationMs: 0 }, rows: rows.sort((a, b) => a.requestId - b.requestId), iterations };
}

describe("simulateServingInto", () => {
  it("streams requests in arrival order and gives simulateServing's summary and rows", () => {
    const whole = simulateServing({ ...options, requests: syntheticRequests(spec, 5) });
    const streamed = collect(syntheticStream(spec, 5));
    expect(streamed.summary).toEqual({ ...whole.summary, simulationMs: 0 });
    expect(streamed.rows).toEqual(whole.requests);
    expect(streamed.iterations).toBe(whole.iterations.length);
  });

  it("runs a trace out of arrival order whole, each request keeping its line's index as its id", () => {
    const requests = parseServingTrace(readFileSync("tests/fixtures/timed/mooncake-5.jsonl", "utf8"), "mooncake-5.jsonl");
    expect(requests[4]!.arrival).toBeLessThan(requests[3]!.arrival);
    const run = collect(requests);
    const whole = simulateServing({ ...options, requests });
    expect(run.summary).toEqual({ ...whole.summary, simulationMs: 0 });
    expect(run.rows.map((r) => [r.requestId, r.arrival])).toEqual(requests.map((r, i) => [i, r.arrival]));
  });
});
