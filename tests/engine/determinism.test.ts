import { describe, expect, it } from "vitest";
import { simulate } from "../../src/simulate.js";
import { POLICIES } from "../../src/policies/registry.js";
import { SCENARIO_PRESETS } from "../../src/hierarchy/presets.js";
import { HierarchyEngine } from "../../src/wasm/hierarchy.js";
import { generateWorkload } from "../../src/workloads/registry.js";

const scenario = SCENARIO_PRESETS.constrained_fp16_prefetch!;
const traces = [generateWorkload("long_tail_mix"), generateWorkload("zipf", { pages: 3000, length: 40_000, seed: 9 })];

describe("determinism", () => {
  it("a reused engine instance gives the same results as fresh ones, in any order", () => {
    const shared = new HierarchyEngine();
    const runs = POLICIES.flatMap((p) => traces.map((trace) => ({ policy: p.name, trace, seed: 3 })));
    const fresh = runs.map((r) => JSON.stringify(simulate({ scenario, ...r }).metrics));
    const reusedForward = runs.map((r) => JSON.stringify(simulate({ scenario, ...r, engine: shared }).metrics));
    const reusedBackward = [...runs].reverse().map((r) => JSON.stringify(simulate({ scenario, ...r, engine: shared }).metrics)).reverse();
    expect(reusedForward).toEqual(fresh);
    expect(reusedBackward).toEqual(fresh);
  });

  it("seeds matter only where a policy draws random numbers", () => {
    const trace = traces[1]!;
    const differs = (policy: string): boolean =>
      JSON.stringify(simulate({ scenario, trace, policy, seed: 1 }).metrics) !==
      JSON.stringify(simulate({ scenario, trace, policy, seed: 2 }).metrics);
    expect(differs("random")).toBe(true);
    expect(differs("cost_aware")).toBe(true); // sampled victims
    expect(differs("lru")).toBe(false);
    expect(differs("s3fifo")).toBe(false);
  });
});
