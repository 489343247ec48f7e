import type { EvictionRecord } from "./simulator.js";
import type { AgenticSimulator } from "./simulator.js";

/** What the rubric reads from a finished (or stopped) episode. */
export interface RubricState {
  failures: number;
  totalTokensGenerated: number;
  /** Normalized usage once per step. */
  memoryHistory: readonly number[];
  /** Normalized usage at the end. */
  finalNormalizedUsage: number;
  /** Σ (1 − eviction value) × memory cost over the entries still cached, and the final usage (fractions of capacity). */
  retainedValue: number;
  finalUsage: number;
  totalSwapLatency: number;
  evictionLog: readonly EvictionRecord[];
  pressureSteps: number;
}

/** f = failures: 1 → −0.15, 2 → −0.30, 3 → −0.55, ≥ 5 → −1 (source). */
export function failurePenalty(s: RubricState): number {
  const f = s.failures;
  return -Math.min(f * 0.15 + Math.max(0, f - 2) * 0.1, 1.0);
}

/** Tokens generated over 500, capped at 1 (source). */
export function throughputReward(s: RubricState): number {
  return Math.min(s.totalTokensGenerated / 500, 1.0);
}

/** Mean over steps of 1 (< 0.8), 0.5 (< 0.95), 0.2 (< 1), −0.5 (overflow), × 0.4 (source); 0 with no steps (ours). */
export function headroomBonus(s: RubricState): number {
  if (s.memoryHistory.length === 0) return 0;
  let sum = 0;
  for (const u of s.memoryHistory) sum += u < 0.8 ? 1.0 : u < 0.95 ? 0.5 : u < 1.0 ? 0.2 : -0.5;
  return (sum / s.memoryHistory.length) * 0.4;
}

/** On the final normalized usage: 0.2 (< 0.85), 0.1 (< 0.95), 0 (< 1), −0.2 overflow (source). */
export function memoryEfficiency(s: RubricState): number {
  const u = s.finalNormalizedUsage;
  return u < 0.85 ? 0.2 : u < 0.95 ? 0.1 : u < 1.0 ? 0.0 : -0.2;
}

/**
 * Σ (1 − eviction value) × cost of what stayed, over the final usage (source formula, range [0, 1]),
 * times `scale` (default 1; the published mean 0.068 suggests the source rescales, docs/envs.md).
 */
export function evictionQuality(s: RubricState, scale = 1): number {
  return s.finalUsage > 0 ? (scale * s.retainedValue) / s.finalUsage : 0;
}

/** −min(latency × 0.2, 0.3) (source). */
export function latencyPenalty(s: RubricState): number {
  return -Math.min(s.totalSwapLatency * 0.2, 0.3);
}

/**
 * Per eviction: +0.3 system, +0.15 context with priority ≥ 0.5, +0.2 generation with priority and
 * progress ≥ 0.7 (source); normalized by the number of evictions and capped at 1 (ours: the
 * published mean −0.013 rules out the raw sum).
 */
export function riskyEvictionPenalty(s: RubricState): number {
  let sum = 0;
  for (const e of s.evictionLog) {
    if (e.blockType === "system") sum += 0.3;
    else if (e.blockType === "context" && e.priority >= 0.5) sum += 0.15;
    else if (e.blockType === "generation" && e.priority >= 0.7 && e.progress >= 0.7) sum += 0.2;
  }
  return -Math.min(sum / Math.max(1, s.evictionLog.length), 1.0);
}

/** The seven weighted functions (weights: source); reward = Σ weight × value. */
export const RUBRIC = [
  { name: "failure_penalty", weight: 0.4, fn: failurePenalty },
  { name: "throughput_reward", weight: 0.25, fn: throughputReward },
  { name: "headroom_bonus", weight: 0.18, fn: headroomBonus },
  { name: "memory_efficiency", weight: 0.07, fn: memoryEfficiency },
  { name: "eviction_quality", weight: 0.05, fn: evictionQuality },
  { name: "latency_penalty", weight: 0.03, fn: latencyPenalty },
  { name: "risky_eviction_penalty", weight: 0.02, fn: riskyEvictionPenalty },
] as const;

export type RubricName = (typeof RUBRIC)[number]["name"];

/** Every reported metric, in report order: the rubric, the weight-0 metrics, then turns and tool counts. */
export const METRIC_ORDER = [
  ...RUBRIC.map((r) => r.name), "total_tokens_metric", "total_failures_metric", "total_latency_metric", "pressure_steps_metric",
  "num_turns", "total_tool_calls", "evict_calls", "compress_calls", "swap_to_cpu_calls", "keep_calls",
] as const;

export interface ToolCounts {
  num_turns: number;
  total_tool_calls: number;
  evict_calls: number;
  compress_calls: number;
  swap_to_cpu_calls: number;
  keep_calls: number;
}

export type Metrics = Record<RubricName, number> & {
  total_tokens_metric: number;
  total_failures_metric: number;
  total_latency_metric: number;
  pressure_steps_metric: number;
} & ToolCounts;

export interface Score {
  reward: number;
  metrics: Metrics;
}

export function rubricState(sim: AgenticSimulator): RubricState {
  let retainedValue = 0;
  for (const e of sim.entries) retainedValue += (1 - sim.evictionValue(e)) * sim.memoryCost(e);
  return {
    failures: sim.failures, totalTokensGenerated: sim.totalTokensGenerated, memoryHistory: sim.memoryHistory,
    finalNormalizedUsage: sim.normalizedUsage, retainedValue, finalUsage: sim.memoryUsage, totalSwapLatency: sim.totalSwapLatency,
    evictionLog: sim.evictionLog, pressureSteps: sim.timeAbove095,
  };
}

export function emptyToolCounts(): ToolCounts {
  return { num_turns: 0, total_tool_calls: 0, evict_calls: 0, compress_calls: 0, swap_to_cpu_calls: 0, keep_calls: 0 };
}

/** Counts a call; one to an unknown tool counts only in the total. */
export function countCall(counts: ToolCounts, tool: string): void {
  counts.total_tool_calls++;
  if (tool === "evict") counts.evict_calls++;
  else if (tool === "compress") counts.compress_calls++;
  else if (tool === "swap_to_cpu") counts.swap_to_cpu_calls++;
  else if (tool === "keep") counts.keep_calls++;
}

/** The weighted reward and every metric of a rollout (one literal object: this runs once per episode in hot sweeps). */
export function score(state: RubricState, tools: ToolCounts, evictionQualityScale = 1): Score {
  const metrics: Metrics = {
    failure_penalty: failurePenalty(state),
    throughput_reward: throughputReward(state),
    headroom_bonus: headroomBonus(state),
    memory_efficiency: memoryEfficiency(state),
    eviction_quality: evictionQuality(state, evictionQualityScale),
    latency_penalty: latencyPenalty(state),
    risky_eviction_penalty: riskyEvictionPenalty(state),
    total_tokens_metric: state.totalTokensGenerated,
    total_failures_metric: state.failures,
    total_latency_metric: state.totalSwapLatency,
    pressure_steps_metric: state.pressureSteps,
    num_turns: tools.num_turns,
    total_tool_calls: tools.total_tool_calls,
    evict_calls: tools.evict_calls,
    compress_calls: tools.compress_calls,
    swap_to_cpu_calls: tools.swap_to_cpu_calls,
    keep_calls: tools.keep_calls,
  };
  let reward = 0;
  for (const r of RUBRIC) reward += r.weight * metrics[r.name];
  return { reward, metrics };
}
