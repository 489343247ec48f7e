import { describe, expect, it } from "vitest";
import {
  evictionQuality, failurePenalty, headroomBonus, latencyPenalty, memoryEfficiency, RUBRIC, riskyEvictionPenalty, score,
  throughputReward, emptyToolCounts, type RubricState,
} from "../../src/envs/agentic/rubric.js";

const base: RubricState = {
  failures: 0, totalTokensGenerated: 0, memoryHistory: [], finalNormalizedUsage: 0.5, retainedValue: 0, finalUsage: 0,
  totalSwapLatency: 0, evictionLog: [], pressureSteps: 0,
};
const state = (patch: Partial<RubricState>): RubricState => ({ ...base, ...patch });

describe("agentic rubric, each function on hand-made states", () => {
  it("failure_penalty follows the published table", () => {
    const table = [[0, 0], [1, -0.15], [2, -0.3], [3, -0.55], [4, -0.8], [5, -1], [9, -1]] as const;
    for (const [f, v] of table) expect(failurePenalty(state({ failures: f }))).toBeCloseTo(v, 12);
  });

  it("throughput_reward is tokens / 500, capped at 1", () => {
    expect(throughputReward(state({ totalTokensGenerated: 69.6 }))).toBeCloseTo(0.1392, 12);
    expect(throughputReward(state({ totalTokensGenerated: 250 }))).toBe(0.5);
    expect(throughputReward(state({ totalTokensGenerated: 5000 }))).toBe(1);
  });

  it("headroom_bonus averages the per-step bands and scales by 0.4", () => {
    expect(headroomBonus(state({ memoryHistory: [] }))).toBe(0);
    expect(headroomBonus(state({ memoryHistory: [0.5, 0.79] }))).toBeCloseTo(0.4, 12);
    // 1.0, 0.5, 0.2, -0.5 -> mean 0.3 -> 0.12
    expect(headroomBonus(state({ memoryHistory: [0.1, 0.8, 0.95, 1.0] }))).toBeCloseTo(0.12, 12);
    expect(headroomBonus(state({ memoryHistory: [1.2, 1.0] }))).toBeCloseTo(-0.2, 12);
  });

  it("memory_efficiency bands the final normalized usage", () => {
    const table = [[0.84, 0.2], [0.85, 0.1], [0.949, 0.1], [0.95, 0], [0.999, 0], [1.0, -0.2], [1.3, -0.2]] as const;
    for (const [u, v] of table) expect(memoryEfficiency(state({ finalNormalizedUsage: u }))).toBe(v);
  });

  it("eviction_quality is retained value over final usage, 0 when empty, scalable", () => {
    expect(evictionQuality(state({ retainedValue: 0.3, finalUsage: 0.6 }))).toBeCloseTo(0.5, 12);
    expect(evictionQuality(state({ retainedValue: 0.3, finalUsage: 0.6 }), 0.2)).toBeCloseTo(0.1, 12);
    expect(evictionQuality(state({ retainedValue: 0, finalUsage: 0 }))).toBe(0);
  });

  it("latency_penalty is -0.2 x latency, capped at -0.3", () => {
    expect(latencyPenalty(state({ totalSwapLatency: 0.5 }))).toBeCloseTo(-0.1, 12);
    expect(latencyPenalty(state({ totalSwapLatency: 2.941 }))).toBeCloseTo(-0.3, 12);
    expect(latencyPenalty(state({}))).toBe(-0);
  });

  it("risky_eviction_penalty scores each rule and normalizes by the evictions", () => {
    const log = [
      { blockType: "system", priority: 0.9, progress: 0.1 }, // 0.3
      { blockType: "context", priority: 0.5, progress: 0.1 }, // 0.15
      { blockType: "context", priority: 0.49, progress: 0.1 }, // 0
      { blockType: "generation", priority: 0.7, progress: 0.7 }, // 0.2
      { blockType: "generation", priority: 0.7, progress: 0.69 }, // 0
      { blockType: "ephemeral", priority: 1, progress: 1 }, // 0
    ] as const;
    expect(riskyEvictionPenalty(state({ evictionLog: log }))).toBeCloseTo(-(0.65 / 6), 12);
    expect(riskyEvictionPenalty(state({ evictionLog: [] }))).toBe(-0);
  });

  it("the weights reproduce the published reward from the published per-function means", () => {
    const means = [-0.15, 0.139, 0.321, 0.2, 0.068, -0.24, -0.013];
    expect(RUBRIC.map((r) => r.weight)).toEqual([0.4, 0.25, 0.18, 0.07, 0.05, 0.03, 0.02]);
    const reward = RUBRIC.reduce((sum, r, i) => sum + r.weight * means[i]!, 0);
    expect(reward).toBeCloseTo(0.0425, 4);
  });

  it("score() is the weighted sum and reports the weight-0 metrics and tool counts", () => {
    const s = state({ failures: 1, totalTokensGenerated: 100, memoryHistory: [0.5], finalNormalizedUsage: 0.5, retainedValue: 0.1, finalUsage: 0.4, totalSwapLatency: 1, pressureSteps: 2 });
    const tools = { ...emptyToolCounts(), num_turns: 15, total_tool_calls: 3, evict_calls: 2, keep_calls: 1 };
    const { reward, metrics } = score(s, tools);
    expect(reward).toBeCloseTo(0.4 * -0.15 + 0.25 * 0.2 + 0.18 * 0.4 + 0.07 * 0.2 + 0.05 * 0.25 + 0.03 * -0.2 + 0, 12);
    expect(metrics).toMatchObject({ total_tokens_metric: 100, total_failures_metric: 1, total_latency_metric: 1, pressure_steps_metric: 2, num_turns: 15, evict_calls: 2, keep_calls: 1 });
  });
});
