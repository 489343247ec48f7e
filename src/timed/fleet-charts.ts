import { HEIGHT, latencyCdf, noData, renderCharts, TIME, title, WIDTH, type Spec, type TimelineSeries } from "./charts.js";

export interface FleetChartInput {
  /** Per request of every instance, seconds (simulated); NaN (no TPOT) is skipped. */
  ttft: Float64Array; tpot: Float64Array; e2e: Float64Array;
  /** Each instance, in index order: the requests it served and its timeline (KV use as a share of its cache). */
  instances: { requests: number; timeline: TimelineSeries }[];
  /** Label for titles, e.g. "4 × vllm · roofline · llama-3-8b on h100-sxm, kv-aware router". */
  label: string;
}

/** Requests served by each instance, and each instance's mean KV use over time. */
function instancesChart(input: FleetChartInput): Spec {
  const heading = title(`Instances: requests served and KV cache utilization over time, ${input.label} (simulated)`);
  const served = input.instances.map((s, i) => ({ instance: String(i), requests: s.requests }));
  const kv = input.instances.flatMap((s, i) => Array.from(s.timeline.time, (time, b) => ({ time, instance: String(i), kvMean: s.timeline.kvMean[b] })));
  // One colour per instance in both panels, instances in index order (not "10" before "2").
  const instance = { field: "instance", type: "nominal", title: "instance", sort: served.map((s) => s.instance), scale: { domain: served.map((s) => s.instance) } };
  const requests: Spec = {
    width: 2 * WIDTH, height: HEIGHT * 0.6, data: { values: served }, mark: "bar",
    encoding: { x: { ...instance, axis: { labelAngle: 0 } }, y: { field: "requests", type: "quantitative", title: "requests served" }, color: instance },
  };
  const usage: Spec = kv.length === 0 ? noData("KV blocks used", 2 * WIDTH) : {
    width: 2 * WIDTH, height: HEIGHT, data: { values: kv }, mark: { type: "line", strokeWidth: 1 },
    encoding: {
      x: TIME, y: { field: "kvMean", type: "quantitative", title: "KV blocks used (mean in bin)", axis: { format: "%" }, scale: { domain: [0, 1] } },
      color: { ...instance, legend: { orient: "bottom", columns: 16 } },
    },
  };
  // The panels share the colour scale; the line panel's legend names it for both.
  return { title: heading, vconcat: [requests, usage], resolve: { legend: { color: "shared" } } };
}

/**
 * A fleet run's charts as SVG text, by file name: `latency-cdf.svg` (every request of every
 * instance, drawn as a single run's) and `instances.svg` (what each instance served and held).
 */
export function fleetCharts(input: FleetChartInput): Promise<Record<string, string>> {
  return renderCharts({ "latency-cdf.svg": latencyCdf(input), "instances.svg": instancesChart(input) });
}
