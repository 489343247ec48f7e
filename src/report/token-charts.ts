import type * as vl from "vega-lite";
import { CURVE_BUDGETS, type SummaryRow } from "../tokens/evaluate.js";
import { TOKEN_POLICY_NAMES } from "../tokens/policies/registry.js";
import { BASE, toSvg } from "./charts.js";
import { registryScales } from "./palette.js";
import { csvTable } from "./csv.js";

/** Ratio to the oracle against the budget (log scale), one line per policy, one panel per head profile. */
export function retentionSvg(summary: readonly SummaryRow[]): Promise<string> {
  const values = summary.flatMap((r) => r.curve.map((ratio, i) => ({ policy: r.policy, profile: r.profile, budget: CURVE_BUDGETS[i]! * 100, ratio })));
  const scales = registryScales(TOKEN_POLICY_NAMES, summary.map((r) => ({ label: r.policy, name: r.policy })));
  const spec = {
    ...BASE,
    title: "Retained future attention vs budget, ratio to the oracle (simulated)",
    data: { values },
    facet: { column: { field: "profile", title: null, sort: [...new Set(values.map((v) => v.profile))] } },
    spec: {
      width: 240, height: 200,
      mark: { type: "line", point: { size: 12 } },
      encoding: {
        x: { field: "budget", type: "quantitative", scale: { type: "log" }, title: "budget (% of context)" },
        y: { field: "ratio", type: "quantitative", scale: { domain: [0, 1] }, title: "retained / oracle" },
        // Colour and the points' shape by policy, one merged legend, as in the sweep's scatter plot.
        color: { field: "policy", type: "nominal", scale: scales.color, legend: { title: "policy" } },
        shape: { field: "policy", type: "nominal", scale: scales.shape, legend: { title: "policy" } },
      },
    },
  } as vl.TopLevelSpec;
  return toSvg(spec);
}

/** summary.csv: one row per policy and profile; ratio, normalized, needles and error per budget. */
export function tokenSummaryCsv(summary: readonly SummaryRow[]): string {
  const fractions = summary[0]?.budgets.map((b) => b.fraction) ?? [];
  const header = ["policy", "profile", "heads", "all_budget_score", ...fractions.flatMap((f) => [`ratio_${f}`, `normalized_${f}`, `needles_${f}`, `output_error_${f}`])];
  return csvTable(header, summary.map((r) => [r.policy, r.profile, r.heads, r.allBudgetScore,
    ...r.budgets.flatMap((b) => [b.ratio, b.normalized, b.needleSurvival ?? "", b.outputError ?? ""])]));
}
