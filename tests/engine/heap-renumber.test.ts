import { afterAll, describe, expect, it } from "vitest";
import { simulate } from "../../src/simulate.js";
import { POLICIES } from "../../src/policies/registry.js";
import { SCENARIO_PRESETS } from "../../src/hierarchy/presets.js";
import { HierarchyEngine } from "../../src/wasm/hierarchy.js";
import { TestHierarchyEngine } from "../helpers/test-build.js";
import { generateWorkload } from "../../src/workloads/registry.js";

// The heaps tag each entry with an arrival number that must fit 31 bits; after 2^31
// inserts they renumber the live entries in order. A run long enough to reach that is out of
// reach of a test, so the threshold is lowered to a few inserts: renumbering then happens
// hundreds of times per run, and every victim, metric and event must stay the same.
const scenario = SCENARIO_PRESETS.constrained_fp16_prefetch!;
const trace = generateWorkload("zipf", { pages: 600, length: 6000, alpha: 0.9, seed: 5 });
const renumbering = new TestHierarchyEngine();
renumbering.setArrivalLimit(7);
const plain = new HierarchyEngine();

describe("heap arrival renumbering", () => {
  afterAll(() => renumbering.setArrivalLimit(0));

  it.each(POLICIES.flatMap((p) => p.profiles.map((profile) => [p.name, profile] as const)))(
    "%s (%s profile): same metrics and events with a threshold of 7 inserts",
    (policy, profile) => {
      const run = (engine: HierarchyEngine) => simulate({ scenario, trace, policy, profile, seed: 2, eventCapacity: 100_000, engine });
      const want = run(plain);
      const got = run(renumbering);
      expect(want.metrics.evictions).toBeGreaterThan(100);
      expect(got.metrics).toEqual(want.metrics);
      expect(got.events).toEqual(want.events);
    },
  );
});
