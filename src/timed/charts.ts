import type * as vl from "vega-lite";
import { BASE, toSvg } from "../report/charts.js";

export interface ServingChartInput {
  /** Per completed request, seconds (simulated). NaN entries (e.g. TPOT of a one-token output) are to be skipped. Unsorted. */
  ttft: Float64Array; tpot: Float64Array; e2e: Float64Array;
  timeline: TimelineSeries;
  /** Label for titles, e.g. "vllm · roofline · llama-2-7b on a100-80gb". */
  label: string;
}

/**
 * A timeline already reduced to at most ~2,000 points by the caller: bin start time (s, simulated),
 * mean KV blocks used as a share of the cache in [0,1], peak share in the bin, mean requests per
 * iteration (batch size) in the bin, tokens per iteration mean in the bin; with a host tier, its
 * mean occupancy (share of its blocks) and each link direction's bytes per second in the bin, and
 * the same for a disk tier below it over the same bins.
 */
export interface TimelineSeries {
  time: Float64Array; kvMean: Float64Array; kvPeak: Float64Array; batchMean: Float64Array; tokensMean: Float64Array;
  host?: {
    time: Float64Array; occupancy: Float64Array; toHostBytesPerS: Float64Array; fromHostBytesPerS: Float64Array;
    disk?: { occupancy: Float64Array; toDiskBytesPerS: Float64Array; fromDiskBytesPerS: Float64Array };
  };
}

export type Spec = Record<string, unknown>;

/** Points per CDF curve: smooth to the eye, and a million requests cost what five hundred do. */
const CDF_POINTS = 500;
export const WIDTH = 220;
export const HEIGHT = 180;
export const TIME = { field: "time", type: "quantitative", title: "time (s, simulated)" } as const;

/**
 * Vega without a canvas overestimates text widths and pads the SVG to match: titles are anchored
 * left and rotated axis titles kept shorter than their panel, else the chart floats in white space.
 */
export const title = (text: string) => ({ text, anchor: "start" });

/** A panel holding only the words "no data", so a run without completions still writes every chart. */
export const noData = (heading: unknown, width = WIDTH): Spec => ({
  title: heading, width, height: HEIGHT, data: { values: [{}] },
  mark: { type: "text", text: "no data", fontSize: 14, color: "gray" },
  encoding: { x: { value: width / 2 }, y: { value: HEIGHT / 2 } },
});

/**
 * Empirical CDF of one latency, thinned to evenly spaced ranks (always the min and the max) and
 * drawn as steps from share 0. NaN (no such figure for that request) is skipped.
 */
function cdfPanel(samples: Float64Array, name: string, unit: "ms" | "s"): Spec {
  const sorted = samples.filter((v) => !Number.isNaN(v)).sort();
  const n = sorted.length;
  const panelTitle = `${name} (n = ${n.toLocaleString("en-US")})`;
  if (n === 0) return noData(panelTitle);
  const scale = unit === "ms" ? 1000 : 1;
  const k = Math.min(n, CDF_POINTS);
  const values = [{ x: sorted[0]! * scale, p: 0 }];
  for (let i = 0; i < k; i++) {
    const rank = k === 1 ? 0 : Math.round((i * (n - 1)) / (k - 1));
    values.push({ x: sorted[rank]! * scale, p: (rank + 1) / n });
  }
  return {
    title: panelTitle, width: WIDTH, height: HEIGHT, data: { values },
    // Step-after: the empirical CDF keeps its share until the next value.
    mark: { type: "line", interpolate: "step-after" },
    encoding: {
      x: { field: "x", type: "quantitative", title: `${name} (${unit}, linear; simulated)`, scale: { zero: false } },
      y: { field: "p", type: "quantitative", title: "share of requests ≤ x", axis: { format: "%" }, scale: { domain: [0, 1] } },
    },
  };
}

/** The empirical CDFs of TTFT, TPOT and E2E side by side. */
export function latencyCdf(input: Pick<ServingChartInput, "ttft" | "tpot" | "e2e" | "label">): Spec {
  return {
    title: title(`Latency CDFs, ${input.label} (simulated)`),
    hconcat: [cdfPanel(input.ttft, "TTFT", "ms"), cdfPanel(input.tpot, "TPOT", "ms"), cdfPanel(input.e2e, "E2E", "s")],
  };
}

/** The timeline as rows, one per bin. */
function rows(t: ServingChartInput["timeline"]) {
  return Array.from(t.time, (time, i) => ({ time, kvMean: t.kvMean[i], kvPeak: t.kvPeak[i], batch: t.batchMean[i], tokens: t.tokensMean[i] }));
}

function kvUsage(input: ServingChartInput): Spec {
  const text = title(`KV cache utilization over time, ${input.label} (simulated)`);
  if (input.timeline.time.length === 0) return noData(text, 2 * WIDTH);
  // Both layers' colours come from one scale, so the legend names the peak band and the mean line.
  const color = (series: string) => ({ datum: series, type: "nominal", scale: { domain: ["peak in bin", "mean in bin"], range: ["#9ecae1", "#08519c"] }, legend: { title: null } });
  const y = { type: "quantitative", title: "KV blocks used", axis: { format: "%" }, scale: { domain: [0, 1] } };
  return {
    title: text, width: 2 * WIDTH, height: HEIGHT, data: { values: rows(input.timeline) },
    layer: [
      { mark: { type: "area", opacity: 0.6 }, encoding: { x: TIME, y: { ...y, field: "kvPeak" }, color: color("peak in bin") } },
      { mark: "line", encoding: { x: TIME, y: { ...y, field: "kvMean" }, color: color("mean in bin") } },
    ],
  };
}

function batchSize(input: ServingChartInput): Spec {
  const text = title(`Batch size and tokens per iteration (means in bin), ${input.label} (simulated)`);
  if (input.timeline.time.length === 0) return noData(text, 2 * WIDTH);
  const panel = (field: string, yTitle: string) => ({
    width: 2 * WIDTH, height: HEIGHT * 0.8, mark: "line",
    encoding: { x: TIME, y: { field, type: "quantitative", title: yTitle } },
  });
  return {
    title: text, data: { values: rows(input.timeline) },
    vconcat: [panel("batch", "requests / iteration"), panel("tokens", "tokens / iteration")],
  };
}

/**
 * The host tier's occupancy, and the traffic each way on its link, over time; with a disk tier,
 * its occupancy beside the host's and its link's traffic beside the GPU–host link's.
 */
function hostTier(input: ServingChartInput, host: NonNullable<TimelineSeries["host"]>): Spec {
  const disk = host.disk;
  const y = { field: "occupancy", type: "quantitative", title: disk ? "blocks cached (share of the tier)" : "host blocks cached", axis: { format: "%" }, scale: { domain: [0, 1] } };
  const legend = { title: null, orient: "bottom" };
  const occupancyPanel = disk
    ? {
      data: { values: Array.from(host.time, (time, i) => [{ time, tier: "host", occupancy: host.occupancy[i] }, { time, tier: "disk", occupancy: disk.occupancy[i] }]).flat() },
      mark: "line", encoding: { x: TIME, y, color: { field: "tier", type: "nominal", scale: { domain: ["host", "disk"], range: ["#636363", "#31a354"] }, legend } },
    }
    : { data: { values: Array.from(host.time, (time, i) => ({ time, occupancy: host.occupancy[i] })) }, mark: { type: "line", color: "#636363" }, encoding: { x: TIME, y } };
  const traffic = Array.from(host.time, (time, i) => [
    { time, direction: "host → GPU (loads)", gbps: host.fromHostBytesPerS[i]! / 1e9 },
    { time, direction: "GPU → host (offloads)", gbps: host.toHostBytesPerS[i]! / 1e9 },
    ...(disk ? [
      { time, direction: "disk → host (loads)", gbps: disk.fromDiskBytesPerS[i]! / 1e9 },
      { time, direction: "host → disk (offloads)", gbps: disk.toDiskBytesPerS[i]! / 1e9 },
    ] : []),
  ]).flat();
  const colors = disk
    ? { domain: ["host → GPU (loads)", "GPU → host (offloads)", "disk → host (loads)", "host → disk (offloads)"], range: ["#e6550d", "#08519c", "#31a354", "#756bb1"] }
    : { range: ["#08519c", "#e6550d"] };
  return {
    title: title(`${disk ? "Host and disk tiers" : "Host tier"} over time, ${input.label} (simulated)`),
    // The panels colour different things: tiers above, link directions below.
    ...(disk ? { resolve: { scale: { color: "independent" } } } : {}),
    vconcat: [
      { width: 2 * WIDTH, height: HEIGHT * 0.8, ...occupancyPanel },
      {
        width: 2 * WIDTH, height: HEIGHT * 0.8, data: { values: traffic }, mark: "line",
        encoding: {
          x: TIME, y: { field: "gbps", type: "quantitative", title: "link traffic (GB/s carried, mean in bin)" },
          color: { field: "direction", type: "nominal", scale: colors, legend },
        },
      },
    ],
  };
}

/** The serving run's charts as SVG text, by file name; bounded in size whatever the number of requests. */
export async function servingCharts(input: ServingChartInput): Promise<Record<string, string>> {
  const specs: Record<string, Spec> = {
    "latency-cdf.svg": latencyCdf(input),
    "kv-usage.svg": kvUsage(input),
    "batch-size.svg": batchSize(input),
    ...(input.timeline.host && input.timeline.host.time.length > 0 ? { "host-tier.svg": hostTier(input, input.timeline.host) } : {}),
  };
  return renderCharts(specs);
}

/** Chart specs as SVG text, by file name, in kvsim's base style. */
export async function renderCharts(specs: Record<string, Spec>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [file, spec] of Object.entries(specs)) out[file] = await toSvg({ ...BASE, ...spec } as vl.TopLevelSpec);
  return out;
}
