import { describe, expect, it } from "vitest";
import { tsLruReplay } from "../../bench/ts-lru.js";
import { simulate, pageBytes } from "../../src/simulate.js";
import { SCENARIO_PRESETS } from "../../src/hierarchy/presets.js";
import { generateWorkload } from "../../src/workloads/registry.js";

describe("the TypeScript LRU used as the benchmark baseline", () => {
  it.each(["small_fp16_no_prefetch", "constrained", "llama3_8b_l4"])("matches the engine's lru under %s", (name) => {
    const scenario = { ...SCENARIO_PRESETS[name]!, prefetch: { enabled: false, maxCandidates: 2 } };
    const trace = generateWorkload("zipf", { pages: 5000, length: 50_000, alpha: 0.9, seed: 4 });
    const engine = simulate({ scenario, trace, policy: "lru" }).metrics;
    const ts = tsLruReplay(scenario, pageBytes(trace, scenario), trace.accesses);
    expect(ts.hits).toBe(engine.hits);
    expect(ts.misses).toBe(engine.misses);
    expect(ts.evictions).toBe(engine.evictions);
    expect(ts.totalLatencyMs).toBeCloseTo(engine.totalLatencyMs, 6);
  });
});
