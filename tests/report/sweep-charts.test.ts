import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { POLICIES } from "../../src/policies/registry.js";
import { sweepChartSpecs } from "../../src/report/charts.js";
import { CATEGORY_COLOURS } from "../../src/report/palette.js";
import { planSweep } from "../../src/sweep/plan-files.js";
import { runSweep } from "../../src/sweep/run-sweep.js";
import { parseSweepSpec } from "../../src/sweep/spec.js";
import type { SummaryRow } from "../../src/sweep/summary.js";
import { axisTexts, marks, scene, type SceneNode } from "../helpers/vega-scene.js";

const SPEC = {
  name: "charts",
  scenarios: ["small_fp16_prefetch", "constrained_fp16_prefetch"],
  workloads: ["rag_burst", { name: "zipf", params: { pages: 300, length: 3000 } }],
  policies: ["belady", "lru", { name: "s3fifo", params: { small_ratio: 0.3 }, label: "s3fifo-0.3" }, "random"],
  seeds: [1, 2, 3],
};
const LABELS = ["belady", "lru", "s3fifo-0.3", "random"];
const NAMES = POLICIES.map((p) => p.name);

let specs: ReturnType<typeof sweepChartSpecs>;
let summary: SummaryRow[];

beforeAll(async () => {
  const plan = await planSweep(parseSweepSpec(SPEC, "test"), { source: "test", baseDir: process.cwd() });
  const outcome = await runSweep(plan, { outDir: mkdtempSync(join(tmpdir(), "kvsim-charts-")), threads: 1, charts: false });
  summary = outcome.summary;
  specs = sweepChartSpecs(outcome.results, summary);
});

/** The facet's panels: each cell group with the scenario and workload it draws. */
const panels = (root: SceneNode) => marks(root, (m) => m.name === "cell").flatMap((m) => m.items!);

describe("the sweep's charts", () => {
  it("draws in each panel of latency_per_seed.svg only that panel's confidence intervals, one per policy", async () => {
    const root = await scene(specs["latency_per_seed.svg"]);
    const cells = panels(root);
    expect(cells).toHaveLength(4);
    for (const cell of cells) {
      const { scenario, workload } = cell.datum!;
      const rules = marks(cell, (m) => m.marktype === "rule" && m.role === "mark").flatMap((m) => m.items!);
      expect(rules.map((r) => r.datum!["policy"]), `${scenario} / ${workload}`).toEqual(LABELS);
      for (const rule of rules) {
        const row = summary.find((r) => r.scenario === scenario && r.workload === workload && r.policy === rule.datum!["policy"])!;
        const { mean, ci95 } = row.stats["avgLatencyMs"]!;
        expect(rule.datum).toMatchObject({ scenario, workload, lo: mean - ci95!, hi: mean + ci95! });
      }
      const points = marks(cell, (m) => m.marktype === "symbol" && m.role === "mark").flatMap((m) => m.items!);
      expect(points).toHaveLength(LABELS.length * SPEC.seeds.length);
      for (const p of points) expect(p.datum).toMatchObject({ scenario, workload });
    }
  });

  for (const [file, title] of [["hit_rate_by_policy.svg", "hit rate (% of accesses)"], ["latency_by_policy.svg", "avg latency (ms/access)"]] as const) {
    it(`names the policies under the bars of ${file}, titles its axes with units and colours each bar by its policy's place in the registry`, async () => {
      const root = await scene(specs[file]);
      const x = axisTexts(root, "x");
      // One axis per column of panels, under its bottom panel.
      expect(x.labels).toEqual([...LABELS, ...LABELS]);
      expect(x.titles).toEqual(["policy", "policy"]);
      expect(axisTexts(root, "y").titles).toEqual([title, title]);
      const bars = marks(root, (m) => m.marktype === "rect" && m.role === "mark").flatMap((m) => m.items!);
      expect(bars).toHaveLength(summary.length);
      for (const bar of bars) {
        const policy = String(bar.datum!["policy"]);
        // The variant, s3fifo's only one, stands in for s3fifo.
        expect(bar.fill, policy).toBe(CATEGORY_COLOURS[NAMES.indexOf(policy === "s3fifo-0.3" ? "s3fifo" : policy)]);
      }
    });
  }

  it("marks each policy in latency_vs_bytes.svg by a colour and shape of its own, the same in every panel", async () => {
    const root = await scene(specs["latency_vs_bytes.svg"]);
    const points = marks(root, (m) => m.marktype === "symbol" && m.role === "mark").flatMap((m) => m.items!);
    expect(points).toHaveLength(summary.length);
    const style = new Map<string, string>();
    for (const p of points) {
      const policy = String(p.datum!["policy"]);
      const look = `${p.fill} ${p.shape}`;
      expect(style.get(policy) ?? look, policy).toBe(look);
      style.set(policy, look);
    }
    expect(new Set(style.values()).size).toBe(LABELS.length);
    // Each panel fits its own points, so each has its axes.
    expect(axisTexts(root, "x").titles).toEqual(Array(4).fill("bytes moved per run (B)"));
    expect(axisTexts(root, "y").titles).toEqual(Array(4).fill("avg latency (ms/access)"));
  });
});
