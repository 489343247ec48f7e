import { sweepCharts } from "../report/charts.js";
import { recordsToCsv, summaryToCsv } from "../report/records-csv.js";
import type { SweepResult } from "./result.js";
import type { SummaryRow } from "./summary.js";

/** The derived files of a finished sweep, by file name: the CSVs and (optionally) the SVG charts. */
export async function sweepArtifacts(results: readonly SweepResult[], summary: readonly SummaryRow[], charts: boolean): Promise<Record<string, string>> {
  const files: Record<string, string> = {
    "results.csv": recordsToCsv(results),
    "summary.csv": summaryToCsv(summary),
  };
  if (results.length && charts) Object.assign(files, await sweepCharts(results, summary));
  return files;
}
