import { describe, expect, it } from "vitest";
import { KvsimInputError } from "../../src/errors.js";
import { atQps, searchCapacity } from "../../src/timed/capacity.js";
import { gpuPreset } from "../../src/timed/gpus.js";
import { modelPreset } from "../../src/timed/models.js";
import { readRequestsCsv } from "../../src/timed/requests.js";
import type { Distribution, ServingSummary } from "../../src/timed/results.js";
import { simulateServing } from "../../src/timed/simulate.js";
import { runCli } from "../helpers/cli.js";

const TRACE = "tests/fixtures/vidur/fixed_p1024_d256_n1000_q3.0_requests_in.csv";
const flat = (x: number): Distribution => ({ p50: x / 2, p90: x * 0.9, p99: x, mean: x / 2, max: x });

/** A stand-in run whose p99 TTFT is the QPS (in seconds) and TPOT a tenth of it: it meets a TTFT SLO of s up to QPS s. */
const linear = (qps: number): ServingSummary => ({ ttft: flat(qps), tpot: flat(qps / 10) }) as ServingSummary;

describe("searchCapacity", () => {
  it("doubles while runs pass, then bisects to within the precision; every run is a step", () => {
    const r = searchCapacity(linear, { slo: { ttftS: 5.3 }, precision: 0.01 });
    expect(r.steps.slice(0, 4).map((s) => [s.qps, s.meets])).toEqual([[1, true], [2, true], [4, true], [8, false]]);
    expect(r.capacityQps).toBeLessThanOrEqual(5.3);
    expect(r.failingQps! - r.capacityQps!).toBeLessThanOrEqual(0.01 * r.capacityQps!);
    expect(r.failingQps).toBeGreaterThan(5.3);
    for (const s of r.steps) expect(s.meets).toBe(s.ttftS <= 5.3);
  });

  it("halves from a failing start, holds both SLOs at the chosen percentile, and gives null when nothing passes", () => {
    const r = searchCapacity(linear, { slo: { ttftS: 0.3, tpotS: 0.02, percentile: 90 }, startQps: 4 });
    // p90 TTFT is 0.9 qps ≤ 0.3 and p90 TPOT 0.09 qps ≤ 0.02: the TPOT SLO binds, at 0.222 QPS.
    expect(r.steps[0]).toMatchObject({ qps: 4, meets: false });
    expect(r.capacityQps).toBeLessThanOrEqual(0.02 / 0.09);
    expect(r.capacityQps).toBeGreaterThan(0.99 * (0.02 / 0.09));
    const never = searchCapacity(() => ({ ttft: flat(9), tpot: flat(1) }) as ServingSummary, { slo: { ttftS: 1 }, maxProbes: 8 });
    expect(never.capacityQps).toBeNull();
    expect(never.steps).toHaveLength(8);
    expect(() => searchCapacity(linear, { slo: {} })).toThrow(KvsimInputError);
  });

  it("scales a trace to a rate, keeping its order and shape", () => {
    const trace = readRequestsCsv(TRACE);
    const fast = atQps(trace, 6);
    const span = fast.at(-1)!.arrival - fast[0]!.arrival;
    expect(trace.length / span).toBeCloseTo(6, 9);
    expect(fast.map((r) => r.prompt)).toEqual(trace.map((r) => r.prompt));
    // Gaps keep their proportions.
    const g = (rs: typeof trace, i: number) => rs[i + 1]!.arrival - rs[i]!.arrival;
    expect(g(fast, 10) / g(fast, 20)).toBeCloseTo(g(trace, 10) / g(trace, 20), 9);
  });

  it("finds a capacity that a run at that rate confirms", () => {
    const trace = readRequestsCsv(TRACE).slice(0, 300);
    const options = { model: modelPreset("llama-2-7b"), gpu: gpuPreset("a100-80gb"), scheduler: "sarathi" as const };
    const r = searchCapacity((q) => simulateServing({ ...options, requests: atQps(trace, q) }).summary, { slo: { ttftS: 0.5, tpotS: 0.05 }, startQps: 2 });
    expect(r.capacityQps).not.toBeNull();
    const at = simulateServing({ ...options, requests: atQps(trace, r.capacityQps!) }).summary;
    expect(at.ttft.p99).toBeLessThanOrEqual(0.5);
    expect(at.tpot.p99).toBeLessThanOrEqual(0.05);
  });
});

describe("kvsim serving capacity", () => {
  it("prints the search's steps and the capacity as JSON, each step consistent with the SLOs", async () => {
    const r = await runCli(["serving", "capacity", "--trace", TRACE, "--model", "llama-2-7b", "--gpu", "a100-80gb", "--slo-ttft-ms", "300",
      "--slo-tpot-ms", "40", "--start-qps", "2", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ slo: { ttftS: 0.3, tpotS: 0.04 }, percentile: 99 });
    expect(out.steps[0].qps).toBe(2);
    for (const s of out.steps) expect(s.meets).toBe(s.ttftS <= 0.3 && s.tpotS <= 0.04);
    expect(out.steps.find((s: { qps: number }) => s.qps === out.capacityQps).meets).toBe(true);
    expect(out.failingQps - out.capacityQps).toBeLessThanOrEqual(0.01 * out.capacityQps);
  });

  it("exits 2 without an SLO, with --requests beside a trace, or with a bad percentile", async () => {
    const base = ["serving", "capacity", "--model", "llama-2-7b", "--gpu", "a100-80gb", "--trace", TRACE];
    for (const [args, message] of [
      [[], /give --slo-ttft-ms, --slo-tpot-ms or both/],
      [["--slo-ttft-ms", "100", "--requests", "5"], /--requests shapes a --workload/],
      [["--slo-ttft-ms", "100", "--percentile", "95"], /argument '95' is invalid/],
    ] as const) {
      const r = await runCli([...base, ...args]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});
