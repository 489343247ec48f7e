import type * as vl from "vega-lite";
import { BASE, toSvg } from "../../report/charts.js";
import { csvTable } from "../../report/csv.js";
import { registryScales } from "../../report/palette.js";
import type { SweepFailure } from "../../sweep/execute.js";
import { stat, type Stat } from "../../sweep/summary.js";
import type { ServingJobOutcome } from "./job.js";
import type { FleetCell, ServingSweepRow } from "./plan.js";

/** One finished row, as a line of `results.jsonl`: deterministic (no timings), so every thread count writes the same bytes. */
export interface ServingSweepResult extends Omit<ServingSweepRow, "index" | "job"> {
  row: number;
  metrics: Record<string, number>;
}

/** A row's fleet fields, those it has (none outside a fleet sweep). */
const fleetOf = (r: FleetCell): FleetCell => ({
  ...(r.instances !== undefined ? { instances: r.instances } : {}), ...(r.router !== undefined ? { router: r.router } : {}),
  ...(r.sessionAffinity !== undefined ? { sessionAffinity: r.sessionAffinity } : {}),
});

const servingResult = (row: ServingSweepRow, metrics: Record<string, number>): ServingSweepResult => ({
  row: row.index, key: row.key, workload: row.workload, deployment: row.deployment, scheduler: row.scheduler, qps: row.qps,
  kvBlocks: row.kvBlocks, seed: row.seed, ...fleetOf(row), metrics,
});

/** A batch's outcomes as finished rows and failures; rows whose key is in `skip` (written by an earlier run) are left out. */
export function splitOutcomes(rows: readonly ServingSweepRow[], outcomes: readonly ServingJobOutcome[], skip?: ReadonlySet<string>): { finished: ServingSweepResult[]; failed: SweepFailure[] } {
  const finished: ServingSweepResult[] = [];
  const failed: SweepFailure[] = [];
  for (const o of outcomes) {
    const row = rows[o.row]!;
    if (skip?.has(row.key)) continue;
    if (o.metrics) finished.push(servingResult(row, o.metrics));
    else failed.push({ row: row.index, key: row.key, error: o.error ?? "unknown error" });
  }
  return { finished, failed };
}

/** One cell (everything but the seed) over its seeds. */
export interface ServingSummaryRow extends FleetCell {
  workload: string;
  deployment: string;
  scheduler: string;
  qps: number | null;
  kvBlocks: number | null;
  seeds: (number | null)[];
  stats: Record<string, Stat>;
}

/** Groups results by cell, in the order cells first appear, with mean, std and 95% CI of every metric. */
export function summarizeServing(results: readonly ServingSweepResult[]): ServingSummaryRow[] {
  const groups = new Map<string, ServingSweepResult[]>();
  for (const r of [...results].sort((a, b) => a.row - b.row)) {
    const k = JSON.stringify([r.workload, r.deployment, r.scheduler, r.qps, r.kvBlocks, r.instances, r.router, r.sessionAffinity]);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(r);
  }
  return [...groups.values()].map((rs) => {
    const names = [...new Set(rs.flatMap((r) => Object.keys(r.metrics)))];
    const stats: Record<string, Stat> = {};
    // NaN (no TPOT when every output is one token) is left out of a metric's statistics.
    for (const name of names) stats[name] = stat(rs.map((r) => r.metrics[name]!).filter((v) => v !== undefined && !Number.isNaN(v)));
    const { workload, deployment, scheduler, qps, kvBlocks } = rs[0]!;
    return { workload, deployment, scheduler, qps, kvBlocks, ...fleetOf(rs[0]!), seeds: rs.map((r) => r.seed), stats };
  });
}

const CELL = ["workload", "deployment", "scheduler", "qps", "kvBlocks"] as const;
const FLEET_CELL = ["instances", "router", "sessionAffinity"] as const;

/** The columns naming a cell: a fleet sweep's name its fleet too. */
const cellOf = (rows: readonly FleetCell[]) => (rows.some((r) => r.instances !== undefined) ? [...CELL, ...FLEET_CELL] : CELL);

function servingResultsCsv(results: readonly ServingSweepResult[]): string {
  const metrics = [...new Set(results.flatMap((r) => Object.keys(r.metrics)))];
  const cell = cellOf(results);
  return csvTable([...cell, "seed", ...metrics], results.map((r) => [...cell.map((c) => r[c] ?? ""), r.seed ?? "", ...metrics.map((m) => r.metrics[m])]));
}

function servingSummaryCsv(rows: readonly ServingSummaryRow[]): string {
  const metrics = [...new Set(rows.flatMap((r) => Object.keys(r.stats)))];
  const cell = cellOf(rows);
  return csvTable([...cell, "n", ...metrics.flatMap((m) => [`${m}_mean`, `${m}_std`, `${m}_ci95`])],
    rows.map((r) => [...cell.map((c) => r[c] ?? ""), r.seeds.length, ...metrics.flatMap((m) => [r.stats[m]?.mean, r.stats[m]?.std, r.stats[m]?.ci95])]));
}

const fleetLabel = (r: ServingSummaryRow) => (r.instances === undefined ? "" : `, ${r.instances} × ${r.router}${r.sessionAffinity === "pinned" ? " pinned" : ""}`);
/** A chart series: the scheduler entry, its cache size and, for a fleet, its instances and router. */
const seriesOf = (r: ServingSummaryRow) => (r.kvBlocks === null ? r.scheduler : `${r.scheduler}, ${r.kvBlocks} blocks`) + fleetLabel(r);

const PANELS = [
  ["ttft.p99", "p99 TTFT (s)"], ["tpot.p99", "p99 TPOT (s)"], ["throughput.outputTokensPerS", "output tokens/s"], ["kvUtilization.mean", "mean KV use (fraction of blocks)"],
] as const;

/**
 * `latency-vs-qps.svg`: p99 TTFT and TPOT, output throughput and KV use against QPS (means over
 * seeds), a line per scheduler, cache size and fleet, a column per workload × deployment. Only a sweep
 * over at least two rates has one.
 */
async function servingSweepCharts(rows: readonly ServingSummaryRow[]): Promise<Record<string, string>> {
  if (new Set(rows.map((r) => r.qps)).size < 2) return {};
  const values = rows.flatMap((r) => PANELS.map(([metric, title]) => ({
    qps: r.qps, value: r.stats[metric]?.mean ?? null, panel: title, series: seriesOf(r), column: `${r.workload} · ${r.deployment}`,
  })));
  // Colours and shapes in the order the series appear: a row names its scheduler by label only
  // ("sarathi(chunkSize=256)"), so it cannot keep the registry's colour as policies do.
  const series = [...new Set(rows.map(seriesOf))];
  const scales = registryScales(series, series.map((label) => ({ label, name: label })));
  const spec: vl.TopLevelSpec = {
    ...BASE,
    title: "Serving sweep: latency, throughput and KV use against QPS (means over seeds; simulated)",
    data: { values },
    facet: { row: { field: "panel", title: null, sort: PANELS.map(([, t]) => t) }, column: { field: "column", title: null } },
    resolve: { scale: { y: "independent" } },
    spec: {
      width: 220, height: 120,
      mark: { type: "line", point: true },
      encoding: {
        x: { field: "qps", type: "quantitative", title: "QPS (simulated)" },
        y: { field: "value", type: "quantitative", title: null },
        color: { field: "series", type: "nominal", scale: scales.color, title: "scheduler" },
        shape: { field: "series", type: "nominal", scale: scales.shape, title: "scheduler" },
      },
    },
  };
  return { "latency-vs-qps.svg": await toSvg(spec) };
}


const BAR_PANELS = [
  ["ttft.p50", "p50 TTFT (s)"], ["ttft.p99", "p99 TTFT (s)"], ["tpot.p99", "p99 TPOT (s)"], ["goodput.attainment", "goodput (share of requests within the SLOs)"],
] as const;

/**
 * `latency-by-scheduler.svg`: p50 and p99 TTFT, p99 TPOT and goodput (means over seeds) as a bar
 * per scheduler entry and cache size, a column per workload × deployment: what a sweep at one rate
 * compares (goodput only when the sweep has SLOs).
 */
async function schedulerBars(rows: readonly ServingSummaryRow[]): Promise<Record<string, string>> {
  if (new Set(rows.map((r) => r.qps)).size !== 1) return {};
  const panels = BAR_PANELS.filter(([metric]) => rows.some((r) => r.stats[metric] !== undefined));
  const values = rows.flatMap((r) => panels.map(([metric, title]) => ({
    value: r.stats[metric]?.mean ?? null, panel: title, series: seriesOf(r), column: `${r.workload} · ${r.deployment}`,
  })));
  const series = [...new Set(rows.map(seriesOf))];
  const scales = registryScales(series, series.map((label) => ({ label, name: label })));
  const spec: vl.TopLevelSpec = {
    ...BASE,
    title: `Serving sweep at ${rows[0]!.qps === null ? "the workloads' own rates" : `${rows[0]!.qps} QPS`}: latency${panels.length === BAR_PANELS.length ? " and goodput" : ""} by scheduler (means over seeds; simulated)`,
    data: { values },
    facet: { row: { field: "panel", title: null, sort: panels.map(([, t]) => t) }, column: { field: "column", title: null } },
    resolve: { scale: { y: "independent" } },
    spec: {
      width: Math.max(220, 22 * series.length), height: 120,
      mark: { type: "bar" },
      encoding: {
        x: { field: "series", type: "nominal", sort: series, title: null, axis: { labelAngle: -40, labelLimit: 400 } },
        y: { field: "value", type: "quantitative", title: null },
        color: { field: "series", type: "nominal", scale: scales.color, title: "scheduler", legend: null },
      },
    },
  };
  return { "latency-by-scheduler.svg": await toSvg(spec) };
}

/** What a sweep that ran to its end writes beside results.jsonl: results.csv, summary.csv and, when wanted and any row finished, the charts. */
export async function servingSweepArtifacts(results: readonly ServingSweepResult[], summary: readonly ServingSummaryRow[], charts: boolean): Promise<Record<string, string>> {
  return {
    "results.csv": servingResultsCsv(results), "summary.csv": servingSummaryCsv(summary),
    ...(charts && results.length ? { ...(await servingSweepCharts(summary)), ...(await schedulerBars(summary)) } : {}),
  };
}
