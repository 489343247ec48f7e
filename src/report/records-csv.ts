import type { RunRecord } from "../run-record.js";

const METRIC_COLUMNS = [
  "accesses", "hits", "misses", "coldMisses", "evictions", "drops", "hitRate", "avgLatencyMs", "totalLatencyMs",
  "bytesMoved", "demandBytesMoved", "prefetchBytesMoved", "prefetchRequests", "usefulPrefetches", "wastedPrefetches",
  "prefetchUsefulness",
] as const;

function cell(value: unknown): string {
  const s = typeof value === "string" ? value : JSON.stringify(value);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** One CSV line per run; map-valued metrics and params as JSON with sorted keys. */
export function recordsToCsv(records: readonly RunRecord[]): string {
  const sorted = (o: Record<string, number>): Record<string, number> =>
    Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
  const header = ["scenario", "workload", "policy", "profile", "seed", "params", ...METRIC_COLUMNS,
    "tierHitRate", "peakFootprintBytes"];
  const lines = records.map((r) => [r.scenario, r.workload, r.policy, r.profile, r.seed, sorted(r.params),
    ...METRIC_COLUMNS.map((c) => r.metrics[c]), sorted(r.metrics.tierHitRate), sorted(r.metrics.peakFootprintBytes),
  ].map(cell).join(","));
  return [header.join(","), ...lines].join("\n") + "\n";
}
