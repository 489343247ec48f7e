import { describe, expect, it } from "vitest";
import { DIFFICULTY, DIFFICULTIES, MAX_STEPS } from "../../src/envs/agentic/constants.js";
import { AgenticEpisode } from "../../src/envs/agentic/episode.js";
import { buildObservation, candidateScore } from "../../src/envs/agentic/observation.js";
import { makeAgenticPolicy } from "../../src/envs/agentic/policies/registry.js";
import { generateScenario, loadEnvironment } from "../../src/envs/agentic/scenario.js";
import { AgenticSimulator } from "../../src/envs/agentic/simulator.js";

describe("loadEnvironment", () => {
  it("interleaves difficulties for all, is deterministic, and truncates or extends to num_examples", () => {
    const rows = loadEnvironment();
    expect(rows).toHaveLength(150);
    expect(rows.slice(0, 4).map((r) => r.difficulty)).toEqual(["easy", "medium", "hard", "easy"]);
    expect(rows[1]!.scenarioSeed).toBe(42 * 1_000_003 + 1);
    expect(loadEnvironment({ seed: 42 })).toEqual(rows);
    expect(loadEnvironment({ difficulty: "hard", numExamples: 5 }).map((r) => r.difficulty)).toEqual(Array(5).fill("hard"));
    expect(loadEnvironment({ difficulty: "easy", numExamples: 120 })).toHaveLength(120);
    expect(loadEnvironment({ seed: 1 })[0]!.scenarioSeed).not.toBe(rows[0]!.scenarioSeed);
  });

  it("names the bad argument", () => {
    expect(() => loadEnvironment({ difficulty: "extreme" as never })).toThrow(/difficulty/);
    expect(() => loadEnvironment({ numExamples: 0 })).toThrow(/num_examples/);
    expect(() => loadEnvironment({ seed: -1 })).toThrow(/seed/);
  });

  it("draws scenarios from their seed alone, within the difficulty's ranges", () => {
    for (const difficulty of DIFFICULTIES) {
      const p = DIFFICULTY[difficulty];
      for (let seed = 0; seed < 40; seed++) {
        const s = generateScenario(difficulty, seed);
        expect(generateScenario(difficulty, seed)).toEqual(s);
        expect(s.memoryBudget).toBeGreaterThanOrEqual(p.budget[0]);
        expect(s.memoryBudget).toBeLessThanOrEqual(p.budget[1]);
        expect(s.initial.length).toBeGreaterThanOrEqual(p.initialEntries[0]);
        expect(s.initial.length).toBeLessThanOrEqual(p.initialEntries[1]);
        expect(s.arrivals).toHaveLength(MAX_STEPS + 1);
        // Private parts are rounded down to whole pages: never above the target, a little below at worst.
        const u = new AgenticSimulator(s).normalizedUsage;
        expect(u).toBeGreaterThan(p.initialUsage[0] - 0.1);
        expect(u).toBeLessThanOrEqual(p.initialUsage[1]);
        for (const e of s.initial) expect(e.sequenceLength).toBeGreaterThan(e.tokens);
      }
    }
  });
});

describe("the compact observation", () => {
  it("has the published fields in order and stays about 2 KB (under 2.25 KiB) through whole episodes", () => {
    let largest = 0;
    for (const row of loadEnvironment({ numExamples: 60 })) {
      const episode = new AgenticEpisode(row);
      const policy = makeAgenticPolicy("random");
      policy.reset(row.scenarioSeed);
      for (;;) {
        const o = buildObservation(episode.sim);
        expect(Object.keys(o)).toEqual([
          "memory_usage", "memory_budget", "episode_remaining", "time_above_0_95", "pending_queue_growth", "cache_overview",
          "top_memory_entries", "top_eviction_candidates", "pending_summary", "visible_seq_ids",
        ]);
        expect(o.top_memory_entries.length).toBeLessThanOrEqual(5);
        expect(o.top_eviction_candidates.length).toBeLessThanOrEqual(5);
        const ids = [...o.top_memory_entries, ...o.top_eviction_candidates].map((e) => e.seq_id);
        expect(o.visible_seq_ids).toEqual([...new Set(ids)]);
        largest = Math.max(largest, JSON.stringify(o).length);
        if (episode.done) break;
        policy.playTurn(episode);
        episode.endTurn();
      }
    }
    // Ten listed entries at most bound it; the spec asks for "about 2 KB".
    expect(largest).toBeLessThan(2304);
  });

  it("ranks memory by cost and candidates by the documented score", () => {
    const sim = new AgenticSimulator(generateScenario("medium", 5));
    const o = buildObservation(sim);
    const costs = o.top_memory_entries.map((e) => e.memory_cost);
    expect(costs).toEqual([...costs].sort((a, b) => b - a));
    for (const c of o.top_eviction_candidates) {
      const e = sim.entry(c.seq_id)!;
      expect(c.score).toBeCloseTo(0.6 * c.eviction_value + 0.25 * (1 - e.priority) + 0.15 * (1 - sim.progress(e)), 3);
      expect(c.score).toBe(candidateScore(sim, e));
    }
    const scores = o.top_eviction_candidates.map((c) => c.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(o.episode_remaining).toBe(15);
    expect(o.memory_usage).toBeCloseTo(sim.memoryUsage, 3);
  });
});
