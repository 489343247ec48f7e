import { describe, expect, it } from "vitest";
import { CAPACITY_TOKENS, MAX_STEPS } from "../../src/envs/agentic/constants.js";
import type { Scenario, SequenceSpec } from "../../src/envs/agentic/scenario.js";
import { generateScenario } from "../../src/envs/agentic/scenario.js";
import { AgenticSimulator } from "../../src/envs/agentic/simulator.js";
import { executeToolCall } from "../../src/envs/agentic/tools.js";

const seq = (id: number, patch: Partial<SequenceSpec>): SequenceSpec => ({
  id, blockType: "generation", tokens: 256, sequenceLength: 100_000, tokenGenRate: 0, priority: 0.5, phase: "idle", hotness: 0, prefix: -1, ...patch,
});
const empty = (): SequenceSpec[][] => Array.from({ length: MAX_STEPS + 1 }, () => []);

/** s0 system and s1 context share a 512-token prefix; s2 stands alone. */
function handMade(patch: Partial<Scenario> = {}): Scenario {
  return {
    difficulty: "medium", scenarioSeed: 7, memoryBudget: 0.5, prefixTokens: [512],
    initial: [
      seq(0, { blockType: "system", tokens: 512 + 256, prefix: 0 }),
      seq(1, { blockType: "context", tokens: 512 + 300, prefix: 0 }),
      seq(2, { blockType: "ephemeral", tokens: 1000 }),
    ],
    arrivals: empty(), ...patch,
  };
}
const units = (tokens: number) => tokens / CAPACITY_TOKENS;

describe("agentic simulator: memory accounting and tools", () => {
  it("counts a shared prefix once and splits it fairly between its sharers", () => {
    const sim = new AgenticSimulator(handMade());
    expect(sim.memoryUsage).toBe(units(512 + 256 + 384 + 1024));
    expect(sim.memoryCost(sim.entry("s0")!)).toBe(units(256 + 256));
    expect(sim.memoryCost(sim.entry("s1")!)).toBe(units(384 + 256));
    const sum = sim.entries.reduce((s, e) => s + sim.memoryCost(e), 0);
    expect(sum).toBeCloseTo(sim.memoryUsage, 15);
  });

  it("evicting a sharer frees its own pages; the prefix goes with the last reference", () => {
    const sim = new AgenticSimulator(handMade());
    expect(sim.evict("s1")).toMatchObject({ ok: true, freed: Math.round(units(384) * 1000) / 1000 });
    expect(sim.memoryUsage).toBe(units(512 + 256 + 1024));
    const last = sim.evict("s0");
    expect(last.ok && last.freed).toBe(Math.round(units(512 + 256) * 1000) / 1000);
    expect(sim.memoryUsage).toBe(units(1024));
    expect(sim.evictionLog.map((e) => e.blockType)).toEqual(["context", "system"]);
  });

  it("compress halves the private pages per level and refuses past int4", () => {
    const sim = new AgenticSimulator(handMade());
    expect(sim.compress("s2")).toMatchObject({ ok: true, level: "int8" });
    expect(sim.memoryUsage).toBe(units(1152 + 512));
    expect(sim.compress("s2")).toMatchObject({ ok: true, level: "int4" });
    expect(sim.memoryUsage).toBe(units(1152 + 256));
    const before = sim.memoryUsage;
    expect(sim.compress("s2")).toEqual({ ok: false, action: "compress", seq_id: "s2", error: "already at int4" });
    expect(sim.memoryUsage).toBe(before);
    // On a sharer only the private part is quantized.
    sim.compress("s0");
    expect(sim.memoryCost(sim.entry("s0")!)).toBe(units(128 + 256));
  });

  it("swap_to_cpu frees the private pages, keeps the prefix reference, and blocks compress", () => {
    const sim = new AgenticSimulator(handMade());
    expect(sim.swapToCpu("s1")).toMatchObject({ ok: true, freed: Math.round(units(384) * 1000) / 1000 });
    expect(sim.memoryUsage).toBe(units(512 + 256 + 1024));
    expect(sim.swapToCpu("s1")).toMatchObject({ ok: false, error: "already swapped" });
    expect(sim.compress("s1")).toMatchObject({ ok: false, error: "swapped to CPU" });
    // The swapped sharer still pins the prefix: evicting s0 frees only its own pages.
    expect(sim.evict("s0")).toMatchObject({ ok: true, freed: Math.round(units(256) * 1000) / 1000 });
    expect(sim.evict("s1")).toMatchObject({ ok: true, freed: Math.round(units(512) * 1000) / 1000 });
  });

  it("an unknown id or a bad argument gives an error and changes nothing", () => {
    const sim = new AgenticSimulator(handMade());
    const snapshot = JSON.stringify(sim.entries);
    const usage = sim.memoryUsage;
    const bad = [
      { name: "evict", arguments: '{"seq_id":"s99"}' },
      { name: "compress", arguments: "{not json" },
      { name: "swap_to_cpu", arguments: '{"seq_id":7}' },
      { name: "evict", arguments: '{"seq_id":"s1","force":true}' },
      { name: "evict", arguments: "[]" },
      { name: "defragment", arguments: "{}" },
      { name: "keep", arguments: '{"seq_id":"s1"}' },
    ];
    for (const call of bad) expect(executeToolCall(sim, call).ok, call.arguments).toBe(false);
    expect(JSON.stringify(sim.entries)).toBe(snapshot);
    expect(sim.memoryUsage).toBe(usage);
    expect(sim.evictionLog).toEqual([]);
    expect(executeToolCall(sim, { name: "keep", arguments: "" })).toMatchObject({ ok: true, action: "keep" });
  });

  it("a request that cannot be admitted fails after waiting 5 steps", () => {
    const arrivals = empty();
    arrivals[0] = [seq(10, { tokens: 16_000 })]; // more than the whole budget
    const sim = new AgenticSimulator(handMade({ arrivals }));
    for (let t = 0; t < 4; t++) sim.advance();
    expect(sim.failures).toBe(0);
    expect(sim.pending[0]!.wait).toBe(4);
    sim.advance();
    expect(sim.failures).toBe(1);
    expect(sim.pending).toEqual([]);
  });

  it("admits a pending request that fits and it generates from the next step", () => {
    const arrivals = empty();
    arrivals[0] = [seq(10, { tokens: 200, phase: "prefill", tokenGenRate: 1.5 })];
    const sim = new AgenticSimulator(handMade({ arrivals }));
    sim.advance();
    const e = sim.entry("s10")!;
    expect(e.tokensCached).toBe(200);
    sim.advance();
    sim.advance();
    expect(e.phase).toBe("decode");
    expect(e.tokensCached).toBe(203); // 1.5 + 1.5 tokens: whole tokens only
    expect(sim.totalTokensGenerated).toBeGreaterThanOrEqual(3);
  });

  it("overflow preempts the newest non-system sequences, each a failure", () => {
    // 2,176 tokens used, budget 1,000: s2 (newest) then s1 go; s0 is a system block and stays.
    const sim = new AgenticSimulator(handMade({ memoryBudget: units(1000) }));
    sim.advance();
    expect(sim.completed).toBe(0); // seed 7: no early completion at step 0 (else pick another seed)
    expect(sim.entries.map((e) => e.seqId)).toEqual(["s0"]);
    expect(sim.failures).toBe(2);
    expect(sim.memoryUsage).toBeLessThanOrEqual(sim.memoryBudget);
  });

  it("pressure is tracked per step, and the episode ends after 15 steps", () => {
    const sim = new AgenticSimulator(generateScenario("hard", 3));
    for (let t = 0; t < MAX_STEPS; t++) sim.advance();
    expect(sim.memoryHistory).toHaveLength(MAX_STEPS);
    expect(sim.timeAbove095).toBe(sim.memoryHistory.filter((u) => u > 0.95).length);
    expect(() => sim.advance()).toThrow(/over/);
  });

  it("traffic, completions and swap accesses do not depend on the agent's actions", () => {
    const a = new AgenticSimulator(generateScenario("medium", 11));
    const b = new AgenticSimulator(generateScenario("medium", 11));
    const swapped = a.entries[0]!.seqId;
    a.swapToCpu(swapped);
    b.swapToCpu(swapped);
    // b also frees most of its cache, which changes admissions and overflow, not the draws.
    for (const e of b.entries.slice(1, 5)) b.evict(e.seqId);
    const gone = (s: AgenticSimulator) => !s.entry(swapped);
    let goneAt = [-1, -1];
    for (let t = 0; t < MAX_STEPS; t++) {
      a.advance();
      b.advance();
      if (goneAt[0] < 0 && gone(a)) goneAt[0] = t;
      if (goneAt[1] < 0 && gone(b)) goneAt[1] = t;
      // The same swapped sequence accrues the same latency, step by step, while it lives.
      expect(b.totalSwapLatency).toBe(a.totalSwapLatency);
    }
    expect(goneAt[0]).toBe(goneAt[1]);
    expect(a.totalSwapLatency).toBeGreaterThan(0);
    expect(a.scenario.arrivals).toEqual(b.scenario.arrivals);
  });

  it("a call on a sequence evicted earlier in the same turn is an unknown id", () => {
    const sim = new AgenticSimulator(handMade());
    expect(sim.evict("s2").ok).toBe(true);
    expect(sim.compress("s2")).toEqual({ ok: false, action: "compress", seq_id: "s2", error: 'unknown seq_id "s2"' });
  });

  it("a sequence completes when it reaches its length, and its pages are freed", () => {
    const sim = new AgenticSimulator(handMade({ initial: [seq(0, { tokens: 250, sequenceLength: 253, phase: "decode", tokenGenRate: 3 })] }));
    sim.advance();
    expect(sim.entries).toEqual([]);
    expect(sim.completed).toBe(1);
    expect(sim.totalTokensGenerated).toBe(3);
    expect(sim.memoryUsage).toBe(0);
  });
});
