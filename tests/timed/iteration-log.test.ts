import { describe, expect, it } from "vitest";
import { IterationLog, withIterations } from "../../src/timed/iteration-log.js";
import type { IterationResult } from "../../src/timed/results.js";

const iteration = (k: number): IterationResult => ({
  start: k * 0.5, duration: 0.25 + k, requests: k + 1, prefillTokens: 100 * k, decodeTokens: k + 2, kvBlocksUsed: 7 * k,
  hostBlocksCached: 3 * k, bytesToHost: 1e6 * k, bytesFromHost: 2e6 * k + 1,
});

describe("IterationLog", () => {
  it("gives back every field of every iteration, in order, across its chunks", () => {
    const log = new IterationLog();
    const added = Array.from({ length: 9000 }, (_, k) => iteration(k));
    added.forEach((i) => log.add(i));
    expect(log.results()).toEqual(added);
  });

  it("makes the iterations once, when first read, as an enumerable property", () => {
    const log = new IterationLog();
    log.add(iteration(1));
    const sim = withIterations({ summary: 1 }, log);
    expect(Object.keys(sim)).toEqual(["summary", "iterations"]);
    const first = sim.iterations;
    expect(sim.iterations).toBe(first);
    expect(JSON.parse(JSON.stringify(sim))).toEqual({ summary: 1, iterations: [iteration(1)] });
    expect(structuredClone(sim).iterations).toEqual([iteration(1)]);
  });
});
