import type * as vl from "vega-lite";
import type { SweepResult } from "../sweep/result.js";
import type { SummaryRow } from "../sweep/summary.js";

type VlSpec = vl.TopLevelSpec;

interface Cell {
  scenario: string;
  workload: string;
  policy: string;
  mean: number;
  lo: number;
  hi: number;
}

export const BASE = {
  $schema: "https://vega.github.io/schema/vega-lite/v6.json",
  background: "white",
  config: { font: "sans-serif", axis: { labelLimit: 160 }, legend: { labelLimit: 220 } },
} as const;

/** Mean ± 95% CI of one metric per cell (the interval collapses to the mean for a single seed). */
function cells(rows: readonly SummaryRow[], metric: string): Cell[] {
  return rows.map((r) => {
    const s = r.stats[metric]!;
    const half = s.ci95 ?? 0;
    return { scenario: r.scenario, workload: r.workload, policy: r.policy, mean: s.mean, lo: s.mean - half, hi: s.mean + half };
  });
}

/** One small panel per workload (columns) and scenario (rows), a narrow bar or tick per policy. */
const policyPanels = (workloads: string[], scenarios: string[]) => ({
  facet: {
    column: { field: "workload", sort: workloads, title: null },
    row: { field: "scenario", sort: scenarios, title: null },
  },
  size: { width: { step: 12 }, height: 120 },
});

const order = <T>(values: readonly T[]): T[] => [...new Set(values)];

function barsByPolicy(rows: readonly SummaryRow[], metric: string, title: string, policies: string[], workloads: string[], scenarios: string[]): VlSpec {
  const x = { field: "policy", type: "nominal", sort: policies, axis: { title: null, labels: false, ticks: false } } as const;
  return {
    ...BASE,
    title: `${title} by policy (mean, 95% CI across seeds; simulated)`,
    data: { values: cells(rows, metric) },
    facet: policyPanels(workloads, scenarios).facet,
    spec: {
      ...policyPanels(workloads, scenarios).size,
      layer: [
        { mark: "bar", encoding: { x, y: { field: "mean", type: "quantitative", title }, color: { field: "policy", scale: { domain: policies }, legend: { title: "policy" } } } },
        { mark: { type: "rule", color: "black" }, encoding: { x, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" } } },
      ],
    },
  } as VlSpec;
}

function latencyVsBytes(rows: readonly SummaryRow[], policies: string[], scenarios: string[]): VlSpec {
  const latency = cells(rows, "avgLatencyMs");
  const bytes = cells(rows, "bytesMoved");
  return {
    ...BASE,
    title: "Average latency against bytes moved (means across seeds; simulated)",
    data: { values: latency.map((c, i) => ({ ...c, bytes: bytes[i]!.mean })) },
    facet: { column: { field: "scenario", sort: scenarios, title: null } },
    spec: {
      width: 220,
      height: 200,
      mark: { type: "point", filled: true, size: 50, opacity: 0.8 },
      encoding: {
        x: { field: "bytes", type: "quantitative", title: "bytes moved" },
        y: { field: "mean", type: "quantitative", title: "avg latency (ms)" },
        color: { field: "policy", scale: { domain: policies }, legend: { title: "policy" } },
        shape: { field: "workload", type: "nominal", legend: { title: "workload" } },
      },
    },
  } as VlSpec;
}

function heatmap(rows: readonly SummaryRow[], policies: string[], workloads: string[], scenarios: string[]): VlSpec {
  const y = { field: "policy", type: "nominal", sort: policies, title: null } as const;
  const x = { field: "workload", type: "nominal", sort: workloads, title: null } as const;
  return {
    ...BASE,
    title: "Hit rate, policy × workload (mean across seeds; simulated)",
    data: { values: cells(rows, "hitRate") },
    facet: { column: { field: "scenario", sort: scenarios, title: null } },
    spec: {
      width: { step: 44 },
      height: { step: 18 },
      layer: [
        { mark: "rect", encoding: { x, y, color: { field: "mean", type: "quantitative", title: "hit rate", scale: { scheme: "viridis" } } } },
        { mark: { type: "text", fontSize: 9 }, encoding: { x, y, text: { field: "mean", type: "quantitative", format: ".2f" },
          color: { condition: { test: "datum.mean > 0.6", value: "black" }, value: "white" } } },
      ],
    },
  } as VlSpec;
}

function perSeed(results: readonly SweepResult[], rows: readonly SummaryRow[], policies: string[], workloads: string[], scenarios: string[]): VlSpec {
  const x = { field: "policy", type: "nominal", sort: policies, axis: { title: null, labels: false, ticks: false } } as const;
  const points = results.map((r) => ({ scenario: r.scenario, workload: r.workload, policy: r.policy, seed: String(r.seed ?? "default"),
    value: r.metrics.avgLatencyMs }));
  return {
    ...BASE,
    title: "Average latency per seed (points) and mean ± 95% CI (bars); simulated",
    datasets: { points, cells: cells(rows, "avgLatencyMs") },
    data: { name: "points" },
    facet: policyPanels(workloads, scenarios).facet,
    spec: {
      ...policyPanels(workloads, scenarios).size,
      layer: [
        { data: { name: "cells" }, mark: { type: "rule", color: "black" },
          encoding: { x, y: { field: "lo", type: "quantitative", title: "avg latency (ms)" }, y2: { field: "hi" } } },
        { data: { name: "cells" }, mark: { type: "tick", color: "black", thickness: 1 }, encoding: { x, y: { field: "mean", type: "quantitative" } } },
        { mark: { type: "point", filled: true, size: 16, opacity: 0.7 },
          encoding: { x, y: { field: "value", type: "quantitative" }, color: { field: "policy", scale: { domain: policies }, legend: { title: "policy" } } } },
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

/**
 * The sweep's charts as SVG text, by file name. Rendered by Vega without a DOM; every
 * policy of the sweep is drawn in every chart and named in its legend.
 */
export async function sweepCharts(results: readonly SweepResult[], summary: readonly SummaryRow[]): Promise<Record<string, string>> {
  const policies = order(summary.map((r) => r.policy));
  const workloads = order(summary.map((r) => r.workload));
  const scenarios = order(summary.map((r) => r.scenario));
  const specs: Record<string, VlSpec> = {
    "hit_rate_by_policy.svg": barsByPolicy(summary, "hitRate", "hit rate", policies, workloads, scenarios),
    "latency_by_policy.svg": barsByPolicy(summary, "avgLatencyMs", "avg latency (ms)", policies, workloads, scenarios),
    "latency_vs_bytes.svg": latencyVsBytes(summary, policies, scenarios),
    "hit_rate_heatmap.svg": heatmap(summary, policies, workloads, scenarios),
    "latency_per_seed.svg": perSeed(results, summary, policies, workloads, scenarios),
  };
  const out: Record<string, string> = {};
  for (const [file, spec] of Object.entries(specs)) out[file] = await toSvg(spec);
  return out;
}
