import { describe, expect, it } from "vitest";
import { SCENARIO_PRESETS } from "../../src/hierarchy/presets.js";
import { tierOccupancy } from "../../src/report/occupancy.js";
import { simulate } from "../../src/simulate.js";
import { generateWorkload } from "../../src/workloads/registry.js";

describe("tierOccupancy", () => {
  for (const policy of ["lru", "s3fifo", "predictive"]) {
    it(`rebuilds each tier's resident bytes from the events: sampled at every access its peak is the engine's (${policy})`, () => {
      const scenario = SCENARIO_PRESETS.constrained_fp16_prefetch!;
      const trace = generateWorkload("mixed_locality");
      const run = simulate({ scenario, trace, policy, eventCapacity: 1_000_000 });
      expect(run.eventsDropped).toBe(0);
      const tiers = scenario.tiers.map((t) => t.name);
      // Pages reach the lower tiers too, so every tier's curve is exercised.
      for (const tier of tiers.slice(0, 2)) expect(run.metrics.peakFootprintBytes[tier]).toBeGreaterThan(0);
      const points = tierOccupancy(run.events!, tiers, trace.accesses.length, trace.accesses.length);
      for (const [i, tier] of tiers.entries()) {
        const series = points.filter((p) => p.tier === tier).map((p) => p.bytes);
        expect(Math.min(...series)).toBeGreaterThanOrEqual(0);
        expect(Math.max(...series)).toBeLessThanOrEqual(scenario.tiers[i]!.capacityBytes);
        expect(Math.max(...series), tier).toBe(run.metrics.peakFootprintBytes[tier] ?? 0);
      }
    });
  }

  it("samples evenly up to the last event and keeps one point per tier and step", () => {
    const events = [[0, "promote", "a", null, "t0", 1, 100], [4, "demote", "a", "t0", "t1", 1, 100], [9, "evict", "a", "t1", null, 0, 100]] as const;
    const points = tierOccupancy(events.map((e) => [...e]) as never, ["t0", "t1"], 20, 5);
    expect(points).toEqual([
      { step: 2, tier: "t0", bytes: 100 }, { step: 2, tier: "t1", bytes: 0 },
      { step: 4, tier: "t0", bytes: 100 }, { step: 4, tier: "t1", bytes: 0 },
      { step: 6, tier: "t0", bytes: 0 }, { step: 6, tier: "t1", bytes: 100 },
      { step: 8, tier: "t0", bytes: 0 }, { step: 8, tier: "t1", bytes: 100 },
      { step: 10, tier: "t0", bytes: 0 }, { step: 10, tier: "t1", bytes: 0 },
    ]);
  });
});
