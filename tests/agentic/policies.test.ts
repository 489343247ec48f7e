import { describe, expect, it } from "vitest";
import { DIFFICULTIES, MAX_STEPS } from "../../src/envs/agentic/constants.js";
import { AGENTIC_POLICIES, makeAgenticPolicy } from "../../src/envs/agentic/policies/registry.js";
import { playScripted } from "../../src/envs/agentic/rollout.js";
import { loadEnvironment } from "../../src/envs/agentic/scenario.js";

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe.each(Object.keys(AGENTIC_POLICIES))("agentic policy %s", (name) => {
  const rows = loadEnvironment({ numExamples: 30, seed: 9 });

  it("plays every scenario through 15 turns, at least one call a turn, with a finite reward", () => {
    for (const row of rows) {
      const r = playScripted(row, makeAgenticPolicy(name), 0, { record: true });
      expect(r.metrics.num_turns).toBe(MAX_STEPS);
      expect(r.metrics.total_tool_calls).toBeGreaterThanOrEqual(MAX_STEPS);
      expect(r.tool_calls).toHaveLength(r.metrics.total_tool_calls);
      expect(Number.isFinite(r.reward)).toBe(true);
      const perTool = r.metrics.evict_calls + r.metrics.compress_calls + r.metrics.swap_to_cpu_calls + r.metrics.keep_calls;
      expect(perTool).toBe(r.metrics.total_tool_calls);
    }
  });

  it("replays identically from the same row and rollout", () => {
    for (const row of rows.slice(0, 6)) {
      expect(playScripted(row, makeAgenticPolicy(name), 2, { record: true })).toEqual(playScripted(row, makeAgenticPolicy(name), 2, { record: true }));
    }
  });
});

describe("the greedy heuristic", () => {
  it("beats keep-only and random on every difficulty (60 held-out scenarios each)", () => {
    for (const difficulty of DIFFICULTIES) {
      const rows = loadEnvironment({ difficulty, numExamples: 60, seed: 1234 });
      const avg = (name: string) => mean(rows.map((row) => playScripted(row, makeAgenticPolicy(name)).reward));
      const greedy = avg("greedy");
      expect(greedy, difficulty).toBeGreaterThan(avg("keep-only"));
      expect(greedy, difficulty).toBeGreaterThan(avg("random"));
    }
  });

  it("causes no failures on easy and fewer than keep-only on hard", () => {
    const failures = (difficulty: "easy" | "hard", name: string) =>
      mean(loadEnvironment({ difficulty, numExamples: 40, seed: 77 }).map((row) => playScripted(row, makeAgenticPolicy(name)).metrics.total_failures_metric));
    expect(failures("easy", "greedy")).toBe(0);
    expect(failures("hard", "greedy")).toBeLessThan(failures("hard", "keep-only"));
  });
});
