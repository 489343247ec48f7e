import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { planSweep } from "../../src/sweep/plan-files.js";
import { sweepPreset } from "../../src/sweep/presets.js";
import { runSweep } from "../../src/sweep/run-sweep.js";
import { parseSweepSpec } from "../../src/sweep/spec.js";
import type { SweepResult } from "../../src/sweep/result.js";
import { expectKhlMetrics, fixture, readFixtureJson, type KhlMetrics } from "../helpers/khl.js";

interface KhlRow { scenario: string; workload: string; policy: string; metrics: KhlMetrics }

const origin = { source: "test", baseDir: process.cwd() };

describe("khl-default preset through the sweep path", () => {
  it("reproduces all 210 rows of kv-hierarchy-lab's default sweep from its exported traces, on 2 worker threads", async () => {
    const spec = parseSweepSpec(sweepPreset("khl-default").spec(fixture("kv-hierarchy-lab/traces.json")), "preset");
    const plan = await planSweep(spec, origin);
    const out = mkdtempSync(join(tmpdir(), "kvsim-khl-default-"));
    const outcome = await runSweep(plan, { outDir: out, threads: 2, charts: false });
    expect(outcome.status).toBe("complete");
    const expected = readFixtureJson<KhlRow[]>("kv-hierarchy-lab/default_sweep.json");
    const lines = readFileSync(join(out, "results.jsonl"), "utf8").trimEnd().split("\n").map((l) => JSON.parse(l) as SweepResult);
    expect(lines).toHaveLength(210);
    lines.forEach((r, i) => {
      const want = expected[i]!;
      expect([r.scenario, r.workload, r.policy]).toEqual([want.scenario, want.workload, want.policy]);
      expectKhlMetrics(r.metrics, want.metrics, r.key);
    });
  });

  it("gives the same rows from kvsim's own generators as from the exported traces", async () => {
    const generated = await planSweep(parseSweepSpec(sweepPreset("khl-default").spec(), "preset"), origin);
    const imported = await planSweep(parseSweepSpec(sweepPreset("khl-default").spec(fixture("kv-hierarchy-lab/traces.json")), "preset"), origin);
    expect(generated.specHash).toBe(imported.specHash);
  });
});
