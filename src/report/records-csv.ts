import type { Profile } from "../policies/registry.js";
import type { Metrics } from "../simulate.js";
import type { SummaryRow } from "../sweep/summary.js";
import { csvTable } from "./csv.js";

const METRIC_COLUMNS = [
  "accesses", "hits", "misses", "coldMisses", "evictions", "drops", "dropBytes", "hitRate", "avgLatencyMs",
  "totalLatencyMs", "bytesMoved", "demandBytesMoved", "prefetchBytesMoved", "prefetchRequests", "usefulPrefetches",
  "wastedPrefetches", "prefetchUsefulness",
] as const satisfies readonly (keyof Metrics)[];

/** What a results table needs of a run (a `RunRecord` or a sweep result). */
export interface CsvRecord {
  scenario: string;
  workload: string;
  policy: string;
  profile: Profile;
  seed: number | null;
  params: Record<string, number>;
  metrics: Metrics;
}

const sorted = (o: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));

/** One CSV line per run; map-valued metrics and params as JSON with sorted keys. */
export function recordsToCsv(records: readonly CsvRecord[]): string {
  const header = ["scenario", "workload", "policy", "profile", "seed", "params", ...METRIC_COLUMNS,
    "tierHitRate", "peakFootprintBytes"];
  return csvTable(header, records.map((r) => [r.scenario, r.workload, r.policy, r.profile, r.seed ?? "", sorted(r.params),
    ...METRIC_COLUMNS.map((c) => r.metrics[c]), sorted(r.metrics.tierHitRate), sorted(r.metrics.peakFootprintBytes)]));
}

/** One line per scenario × workload × policy: n, then mean, std and 95% CI half-width of every metric. */
export function summaryToCsv(rows: readonly SummaryRow[]): string {
  const metrics = [...new Set(rows.flatMap((r) => Object.keys(r.stats)))];
  const header = ["scenario", "workload", "policy", "n", ...metrics.flatMap((m) => [`${m}_mean`, `${m}_std`, `${m}_ci95`])];
  return csvTable(header, rows.map((r) => [r.scenario, r.workload, r.policy, r.seeds.length,
    ...metrics.flatMap((m) => {
      const s = r.stats[m];
      return [s?.mean, s?.std, s?.ci95];
    })]));
}
