import { describe, expect, it } from "vitest";
import { simulate } from "../../src/simulate.js";
import { SCENARIO_PRESETS } from "../../src/hierarchy/presets.js";
import { readKhlTraceList } from "../../src/traces/khl-json.js";
import { expectKhlMetrics, fixture, readFixtureJson, type KhlMetrics } from "../helpers/khl.js";

interface Row {
  scenario: string;
  workload: string;
  policy: string;
  quantization_scheme: string;
  prefetch_enabled: boolean;
  metrics: KhlMetrics;
}

const rows = readFixtureJson<Row[]>("kv-hierarchy-lab/default_sweep.json");
const traces = readKhlTraceList(fixture("kv-hierarchy-lab/traces.json"));

describe("kv-hierarchy-lab default sweep, replayed from its exported traces (khl profile)", () => {
  it("has all 210 rows", () => expect(rows).toHaveLength(210));

  it.each(rows.map((r, i) => [i, `${r.scenario} / ${r.workload} / ${r.policy}`, r] as const))(
    "row %i: %s",
    (_i, label, row) => {
      const scenario = SCENARIO_PRESETS[row.scenario]!;
      expect(scenario.quantization).toBe(row.quantization_scheme);
      expect(scenario.prefetch.enabled).toBe(row.prefetch_enabled);
      const trace = traces.find((t) => t.name === row.workload)!;
      const { metrics } = simulate({ scenario, trace, policy: row.policy, profile: "khl" });
      expectKhlMetrics(metrics, row.metrics, label);
    },
  );
});
