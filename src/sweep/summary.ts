import type { Metrics } from "../simulate.js";
import type { SweepResult } from "./result.js";
import { tQuantile975 } from "./t-quantile.js";

/** The scalar metrics summarised, in column order. */
export const SUMMARY_METRICS = [
  "hitRate", "avgLatencyMs", "totalLatencyMs", "bytesMoved", "demandBytesMoved", "prefetchBytesMoved", "hits", "misses",
  "coldMisses", "evictions", "drops", "dropBytes", "prefetchRequests", "usefulPrefetches", "wastedPrefetches",
  "prefetchUsefulness", "accesses",
] as const satisfies readonly (keyof Metrics)[];

export interface Stat {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1); undefined for a single run. */
  std?: number;
  /** Half-width of the two-sided 95% confidence interval of the mean (Student t); undefined for n = 1. */
  ci95?: number;
}

/** One scenario × workload × policy cell, over its seeds. */
export interface SummaryRow {
  scenario: string;
  workload: string;
  policy: string;
  policyName: string;
  seeds: (number | null)[];
  stats: Record<string, Stat>;
}

export function stat(values: readonly number[]): Stat {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { n, mean };
  // (v − mean)², written as a product: exact and the same in every engine.
  const std = Math.sqrt(values.reduce((a, v) => a + (v - mean) * (v - mean), 0) / (n - 1));
  return { n, mean, std, ci95: tQuantile975(n - 1) * std / Math.sqrt(n) };
}

/** Every per-run number worth averaging: the scalar metrics, then each tier's hit rate and peak bytes. */
export function flatMetrics(m: Metrics): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of SUMMARY_METRICS) out[k] = m[k];
  for (const [tier, v] of Object.entries(m.tierHitRate)) out[`tierHitRate.${tier}`] = v;
  for (const [tier, v] of Object.entries(m.peakFootprintBytes)) out[`peakFootprintBytes.${tier}`] = v;
  return out;
}

/** Groups results by scenario × workload × policy, in the order the cells first appear. */
export function summarize(results: readonly SweepResult[]): SummaryRow[] {
  const groups = new Map<string, SweepResult[]>();
  for (const r of [...results].sort((a, b) => a.row - b.row)) {
    const k = JSON.stringify([r.scenario, r.workload, r.policy]);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(r);
  }
  return [...groups.values()].map((rs) => {
    const flat = rs.map((r) => flatMetrics(r.metrics));
    const names = [...new Set(flat.flatMap((f) => Object.keys(f)))];
    const stats: Record<string, Stat> = {};
    for (const name of names) stats[name] = stat(flat.map((f) => f[name]).filter((v): v is number => v !== undefined));
    const first = rs[0]!;
    return { scenario: first.scenario, workload: first.workload, policy: first.policy, policyName: first.policyName,
      seeds: rs.map((r) => r.seed), stats };
  });
}
