import { describe, expect, it } from "vitest";
import { servingCharts, type ServingChartInput } from "../../src/timed/charts.js";

const FILES = ["latency-cdf.svg", "kv-usage.svg", "batch-size.svg"];
const LABEL = "vllm · roofline · llama-2-7b on a100-80gb";

/** Deterministic pseudo-random numbers (an LCG), so inputs are the same on every run. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1_664_525 + 1_013_904_223) >>> 0) / 2 ** 32;
}

function input(requests: number, bins: number): ServingChartInput {
  const rand = lcg(requests + 1);
  const ttft = Float64Array.from({ length: requests }, () => 0.05 + rand() * 0.5);
  // Every tenth request has a one-token output: no TPOT.
  const tpot = Float64Array.from({ length: requests }, (_, i) => (i % 10 === 0 ? NaN : 0.01 + rand() * 0.03));
  const e2e = Float64Array.from(ttft, (t) => t + 2 + rand() * 8);
  const time = Float64Array.from({ length: bins }, (_, i) => i * 0.5);
  const kvMean = Float64Array.from(time, (t) => 0.4 + 0.3 * Math.sin(t / 20));
  return {
    ttft, tpot, e2e, label: LABEL,
    timeline: {
      time, kvMean, kvPeak: kvMean.map((m) => Math.min(1, m + 0.1)),
      batchMean: Float64Array.from(time, (t) => 20 + 10 * Math.cos(t / 30)),
      tokensMean: Float64Array.from(time, (t) => 800 + 300 * Math.sin(t / 10)),
    },
  };
}

const empty = (): ServingChartInput => ({
  ttft: new Float64Array(0), tpot: new Float64Array(0), e2e: new Float64Array(0), label: LABEL,
  timeline: { time: new Float64Array(0), kvMean: new Float64Array(0), kvPeak: new Float64Array(0), batchMean: new Float64Array(0), tokensMean: new Float64Array(0) },
});

function expectCharts(charts: Record<string, string>): void {
  expect(Object.keys(charts).sort()).toEqual([...FILES].sort());
  for (const file of FILES) {
    const svg = charts[file]!;
    expect(svg, file).toMatch(/^<svg[\s\S]*<\/svg>$/);
    expect(svg, file).toContain("simulated");
    expect(svg, file).toContain(LABEL);
  }
}

describe("servingCharts", () => {
  it("draws the three charts, titled as simulated, with the run's label", async () => {
    const charts = await servingCharts(input(1000, 200));
    expectCharts(charts);
    expect(charts["latency-cdf.svg"]).toContain("TTFT (ms, linear; simulated)");
    expect(charts["latency-cdf.svg"]).toContain("E2E (s, linear; simulated)");
    expect(charts["kv-usage.svg"]).toContain("peak in bin");
    expect(charts["batch-size.svg"]).toContain("tokens / iteration");
  });

  it("skips NaN: TPOT counts only the requests that have one", async () => {
    const charts = await servingCharts(input(1000, 10));
    expect(charts["latency-cdf.svg"]).toContain("TTFT (n = 1,000)");
    expect(charts["latency-cdf.svg"]).toContain("TPOT (n = 900)");
    expect(charts["latency-cdf.svg"]).not.toContain("NaN");
  });

  it("bounds a million requests' CDFs: a small SVG, drawn quickly", async () => {
    const big = input(1_000_000, 2000);
    const start = performance.now();
    const charts = await servingCharts(big);
    const ms = performance.now() - start;
    expectCharts(charts);
    expect(charts["latency-cdf.svg"]).toContain("TTFT (n = 1,000,000)");
    for (const file of FILES) expect(charts[file]!.length, file).toBeLessThan(300_000);
    expect(ms).toBeLessThan(5000);
  });

  it("says 'no data' for a run without completions, and for all-NaN TPOT", async () => {
    const none = await servingCharts(empty());
    expectCharts(none);
    for (const file of FILES) expect(none[file], file).toContain("no data");
    const oneToken = await servingCharts({ ...input(50, 10), tpot: new Float64Array(50).fill(NaN) });
    expect(oneToken["latency-cdf.svg"]).toContain("TPOT (n = 0)");
    expect(oneToken["latency-cdf.svg"]).toContain("no data");
  });

  it("draws a single request", async () => {
    const one = { ...empty(), ttft: Float64Array.of(0.1), tpot: Float64Array.of(NaN), e2e: Float64Array.of(1.5) };
    expectCharts(await servingCharts(one));
  });

  it("is deterministic: the same input gives the same bytes", async () => {
    const a = await servingCharts(input(5000, 300));
    const b = await servingCharts(input(5000, 300));
    expect(a).toEqual(b);
  });
});
