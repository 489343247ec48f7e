/** NeuralPagedAttention's constants at commit 2f7fbba (its server/env_components/constants.py). */
export const NPA = {
  gpuBlocks: 1000,
  cpuBlocks: 5000,
  tokensPerBlock: 16,
  maxGenerating: 12,
  idlePromotion: 8,
  trafficSeed: 2026,
  maxRequestTokens: 12800,
  freeQueueMax: 100,
  vipQueueMax: 50,
  gcIdle: 200,
  ageNormaliser: 500,
  returningRatio: 0.3,
  chatter: { prompt: [100, 50], gen: [250, 100] },
  power: { prompt: [3500, 1200], gen: [800, 300] },
  minTokens: 16,
} as const;

export const REWARD = {
  activeGen: 0.02, freeMultiplier: 5.0, vipMultiplier: 15.0, latencyDecay: 0.05, admit: 0.1, evict: 0.05, gc: 0.2,
  doNothingTax: -0.01, swapFree: -0.2, swapVip: -0.5, preemptFree: -0.6, preemptVip: -1.8,
  rejectUnnecessaryFree: -5.0, rejectUnnecessaryVip: -10.0, rejectNecessaryFree: -1.5, rejectNecessaryVip: -5.0,
  pain95: -0.1, pain98: -0.4, slaMissFree: -2.0, slaMissVip: -6.0, deadlock: -20.0, crash: -100.0,
} as const;

export type NpaTask = "easy" | "medium" | "hard";
export const NPA_TASKS: readonly NpaTask[] = ["easy", "medium", "hard"];

export interface TaskConfig {
  maxTicks: number;
  vipRatio: number;
  slaFree: number | null;
  slaVip: number | null;
  traffic: "flat" | "wave" | "spike";
  powerUserPct: number;
  genPerTick: number;
  v1Ceiling: number;
}

export const TASKS: Record<NpaTask, TaskConfig> = {
  easy: { maxTicks: 2000, vipRatio: 0.02, slaFree: null, slaVip: null, traffic: "flat", powerUserPct: 0.0, genPerTick: 15, v1Ceiling: 0.95 },
  medium: { maxTicks: 3000, vipRatio: 0.05, slaFree: 100, slaVip: 50, traffic: "wave", powerUserPct: 0.2, genPerTick: 5, v1Ceiling: 0.4 },
  hard: { maxTicks: 5000, vipRatio: 0.1, slaFree: 50, slaVip: 25, traffic: "spike", powerUserPct: 0.35, genPerTick: 5, v1Ceiling: 0.15 },
};

/** The 19 actions, by id. */
export const NPA_ACTIONS = [
  "evict_largest_idle_free", "evict_largest_idle_vip", "evict_oldest_idle_free", "evict_oldest_idle_vip",
  "swap_largest_idle_free", "swap_largest_idle_vip", "swap_oldest_idle_free", "swap_oldest_idle_vip",
  "admit_next_free", "admit_next_vip", "reject_next_free", "reject_next_vip",
  "preempt_largest_active_free", "preempt_largest_active_vip", "preempt_swap_largest_active_free", "preempt_swap_largest_active_vip",
  "garbage_collect", "do_nothing", "admit_half_of_both_queues",
] as const;

export const NPA_OBSERVATION = [
  "gpu_utilization_pct", "cpu_utilization_pct", "memory_pressure_trend", "total_free_req", "total_vip_req", "total_req",
  "free_max_wait_time_pct", "vip_max_wait_time_pct", "yield_preempt_active", "free_size_max", "free_size_mean",
  "free_size_std_dev", "vip_size_max", "vip_size_mean", "vip_size_std_dev", "free_age_max", "free_age_mean",
  "free_age_std_dev", "vip_age_max", "vip_age_mean", "vip_age_std_dev",
] as const;
