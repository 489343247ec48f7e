import type * as vl from "vega-lite";
import type { SweepResult } from "../sweep/result.js";
import type { SummaryRow } from "../sweep/summary.js";
import { POLICIES } from "../policies/registry.js";
import { registryScales, type SeriesScales } from "./palette.js";

type VlSpec = vl.TopLevelSpec;

interface Cell {
  scenario: string;
  workload: string;
  policy: string;
  mean: number;
  lo: number;
  hi: number;
}

/**
 * What every chart shares. Without a canvas Vega takes a label to be 0.8 × font size wide per
 * character, so the limits leave a labelled variant ("s3fifo(small_ratio=0.2)") whole: 30 characters
 * on an axis, 40 in a legend.
 */
export const BASE = {
  $schema: "https://vega.github.io/schema/vega-lite/v6.json",
  background: "white",
  config: { font: "sans-serif", axis: { labelLimit: 240 }, legend: { labelLimit: 320, titleLimit: 320 } },
} as const;

const POLICY_NAMES = POLICIES.map((p) => p.name);

/** Mean ± 95% CI of one metric per cell (the interval collapses to the mean for a single seed). */
function cells(rows: readonly SummaryRow[], metric: string): Cell[] {
  return rows.map((r) => {
    const s = r.stats[metric]!;
    const half = s.ci95 ?? 0;
    return { scenario: r.scenario, workload: r.workload, policy: r.policy, mean: s.mean, lo: s.mean - half, hi: s.mean + half };
  });
}

/** What the sweep's charts share: the order of each facet and the policies' colours and shapes. */
interface Layout {
  policies: string[];
  workloads: string[];
  scenarios: string[];
  scales: SeriesScales;
}

/** A panel per workload (columns) and scenario (rows). */
const panels = ({ workloads, scenarios }: Layout) => ({
  column: { field: "workload", sort: workloads, title: null },
  row: { field: "scenario", sort: scenarios, title: null },
});

/** Policies along x, a narrow band each, named under the bottom row's panels. */
const policyX = ({ policies }: Layout) => ({
  field: "policy", type: "nominal", sort: policies, title: "policy", axis: { labelAngle: -45, labelAlign: "right" },
}) as const;

const policyColour = ({ scales }: Layout) => ({ field: "policy", type: "nominal", scale: scales.color, legend: { title: "policy" } }) as const;

const BAND = { width: { step: 16 }, height: 150 } as const;

const order = <T>(values: readonly T[]): T[] => [...new Set(values)];

/** Hit rates are fractions of accesses, drawn as percentages. */
const HIT_RATE = { title: "hit rate (% of accesses)", format: ".0%" } as const;
const LATENCY = { title: "avg latency (ms/access)" } as const;

function barsByPolicy(rows: readonly SummaryRow[], metric: string, name: string, y: { title: string; format?: string }, layout: Layout): VlSpec {
  const x = policyX(layout);
  const axis = y.format ? { format: y.format } : {};
  return {
    ...BASE,
    title: `${name} by policy (mean, 95% CI across seeds; simulated)`,
    data: { values: cells(rows, metric) },
    facet: panels(layout),
    spec: {
      ...BAND,
      layer: [
        { mark: "bar", encoding: { x, y: { field: "mean", type: "quantitative", title: y.title, axis }, color: policyColour(layout) } },
        { mark: { type: "rule", color: "black" }, encoding: { x, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" } } },
      ],
    },
  } as VlSpec;
}

function latencyVsBytes(rows: readonly SummaryRow[], layout: Layout): VlSpec {
  const latency = cells(rows, "avgLatencyMs");
  const bytes = cells(rows, "bytesMoved");
  return {
    ...BASE,
    title: "Average latency against bytes moved (means across seeds; simulated)",
    data: { values: latency.map((c, i) => ({ ...c, bytes: bytes[i]!.mean })) },
    facet: panels(layout),
    // Each panel fits its own points: within one, policies land too close to tell apart on shared axes.
    resolve: { scale: { x: "independent", y: "independent" } },
    spec: {
      width: 160,
      height: 150,
      mark: { type: "point", filled: true, size: 50, opacity: 0.85 },
      encoding: {
        x: { field: "bytes", type: "quantitative", title: "bytes moved per run (B)", scale: { zero: false }, axis: { format: "~s" } },
        y: { field: "mean", type: "quantitative", scale: { zero: false }, ...LATENCY },
        // Colour and shape by policy, one merged legend: no two policies share both.
        color: policyColour(layout),
        shape: { field: "policy", type: "nominal", scale: layout.scales.shape, legend: { title: "policy" } },
      },
    },
  } as VlSpec;
}

function heatmap(rows: readonly SummaryRow[], { policies, workloads, scenarios }: Layout): VlSpec {
  const y = { field: "policy", type: "nominal", sort: policies, title: "policy" } as const;
  const x = { field: "workload", type: "nominal", sort: workloads, title: "workload", axis: { labelAngle: -45, labelAlign: "right" } } as const;
  return {
    ...BASE,
    title: "Hit rate, policy × workload (mean across seeds; simulated)",
    data: { values: cells(rows, "hitRate") },
    facet: { column: { field: "scenario", sort: scenarios, title: null } },
    spec: {
      width: { step: 44 },
      height: { step: 18 },
      layer: [
        { mark: "rect", encoding: { x, y, color: { field: "mean", type: "quantitative", title: HIT_RATE.title, legend: { format: HIT_RATE.format }, scale: { scheme: "viridis" } } } },
        { mark: { type: "text", fontSize: 9 }, encoding: { x, y, text: { field: "mean", type: "quantitative", format: ".1%" },
          color: { condition: { test: "datum.mean > 0.6", value: "black" }, value: "white" } } },
      ],
    },
  } as VlSpec;
}

/**
 * One data set of seeds and cells, told apart by `kind`, so that the facet splits both: a layer
 * with data of its own is not faceted, and would draw every cell's interval in every panel.
 */
function perSeed(results: readonly SweepResult[], rows: readonly SummaryRow[], layout: Layout): VlSpec {
  const x = policyX(layout);
  const seeds = results.map((r) => ({ kind: "seed", scenario: r.scenario, workload: r.workload, policy: r.policy, seed: String(r.seed ?? "default"),
    value: r.metrics.avgLatencyMs }));
  const only = (kind: string) => [{ filter: { field: "kind", equal: kind } }];
  return {
    ...BASE,
    title: "Average latency per seed (points) and mean ± 95% CI (bars); simulated",
    data: { values: [...seeds, ...cells(rows, "avgLatencyMs").map((c) => ({ kind: "cell", ...c }))] },
    facet: panels(layout),
    spec: {
      ...BAND,
      layer: [
        { transform: only("cell"), mark: { type: "rule", color: "black" },
          encoding: { x, y: { field: "lo", type: "quantitative", ...LATENCY }, y2: { field: "hi" } } },
        { transform: only("cell"), mark: { type: "tick", color: "black", thickness: 1 }, encoding: { x, y: { field: "mean", type: "quantitative" } } },
        { transform: only("seed"), mark: { type: "point", filled: true, size: 16, opacity: 0.7 },
          encoding: { x, y: { field: "value", type: "quantitative" }, color: policyColour(layout) } },
      ],
    },
  } as VlSpec;
}

/** Renders a Vega-Lite spec to SVG, headless (Vega loaded on first use); the same bytes in Node and the browser. */
export async function toSvg(spec: VlSpec): Promise<string> {
  // Loaded on first use: Vega costs ~0.4 s to import, which sweeps without charts should not pay.
  const [vega, vegaLite] = await Promise.all([import("vega"), import("vega-lite")]);
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  return renumberIds(svg);
}

/**
 * Vega numbers gradients and clip paths from a process-wide counter; renumbering them per file
 * makes a chart's bytes depend only on its data, however many charts the process drew before.
 */
function renumberIds(svg: string): string {
  const ids = new Map<string, string>();
  return svg.replace(/\b(gradient_|clip)(\d+)\b/g, (id: string, kind: string) => {
    if (!ids.has(id)) ids.set(id, `${kind}${[...ids.keys()].filter((k) => k.startsWith(kind)).length}`);
    return ids.get(id)!;
  });
}

/** The sweep's charts as Vega-Lite specs, by file name; every policy of the sweep is drawn in each and named in its legend. */
export function sweepChartSpecs(results: readonly SweepResult[], summary: readonly SummaryRow[]): Record<string, VlSpec> {
  const layout: Layout = {
    policies: order(summary.map((r) => r.policy)),
    workloads: order(summary.map((r) => r.workload)),
    scenarios: order(summary.map((r) => r.scenario)),
    scales: registryScales(POLICY_NAMES, summary.map((r) => ({ label: r.policy, name: r.policyName }))),
  };
  return {
    "hit_rate_by_policy.svg": barsByPolicy(summary, "hitRate", "Hit rate", HIT_RATE, layout),
    "latency_by_policy.svg": barsByPolicy(summary, "avgLatencyMs", "Average latency", LATENCY, layout),
    "latency_vs_bytes.svg": latencyVsBytes(summary, layout),
    "hit_rate_heatmap.svg": heatmap(summary, layout),
    "latency_per_seed.svg": perSeed(results, summary, layout),
  };
}

/** The sweep's charts as SVG text, by file name, rendered by Vega without a DOM. */
export async function sweepCharts(results: readonly SweepResult[], summary: readonly SummaryRow[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [file, spec] of Object.entries(sweepChartSpecs(results, summary))) out[file] = await toSvg(spec);
  return out;
}
