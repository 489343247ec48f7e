/**
 * Constants of the agentic tool-calling environment (kv_cache_eviction, ../shared specs §1).
 * Values marked "source" are the published ones; the rest are kvsim's documented choices
 * (docs/envs.md, "Agentic environment").
 */

export const BLOCK_TYPES = ["system", "context", "generation", "reasoning", "ephemeral"] as const;
export type BlockType = (typeof BLOCK_TYPES)[number];

/** How safe a block type is to evict: 0 = never, 1 = free to drop (source). */
export const EVICTION_VALUE: Record<BlockType, number> = { system: 0.0, context: 0.25, generation: 0.5, reasoning: 0.9, ephemeral: 1.0 };

export const QUANTIZATIONS = ["fp16", "int8", "int4"] as const;
export type Quantization = (typeof QUANTIZATIONS)[number];
/** Memory multiplier per quantization level, as a power of two divisor: fp16 ×1, int8 ×½, int4 ×¼ (source). */
export const QUANT_SHIFT = [0, 1, 2] as const;

export const PHASES = ["prefill", "decode", "reasoning", "idle"] as const;
export type Phase = (typeof PHASES)[number];

export const DIFFICULTIES = ["easy", "medium", "hard"] as const;
export type Difficulty = (typeof DIFFICULTIES)[number];

/** The simulated cache: 16,384 tokens in 128-token pages (page size: source; capacity: ours). */
export const CAPACITY_TOKENS = 16_384;
export const PAGE_TOKENS = 128;
/** Episode length in steps (source). */
export const MAX_STEPS = 15;
/** A pending request still waiting after this many steps fails (source). */
export const FAIL_AFTER_WAIT = 5;
/** Admission keeps normalized usage at or below this: the whole budget (ours; passive policies then live under pressure, as published). */
export const ADMIT_LIMIT = 1.0;
/** A request waiting this long is "at risk" in the observation (ours). */
export const AT_RISK_WAIT = 3;
/** Each step, a resident sequence finishes early with this probability (ours). */
export const EARLY_COMPLETION = 0.05;
/** Latency of one access to a swapped sequence: U(0.1, 0.3) (source range). */
export const SWAP_LATENCY = [0.1, 0.3] as const;

export interface DifficultyParams {
  /** Memory budget as a fraction of capacity: U(lo, hi) (source). */
  budget: readonly [number, number];
  /** Poisson mean of arrivals per step (ours, after the source's low / medium / high). */
  arrivalRate: number;
  /** Probability of a burst step and its extra arrivals (hard only, ours). */
  burstProbability: number;
  burstSize: number;
  /** Initial sequences: an integer in [lo, hi] (ours). */
  initialEntries: readonly [number, number];
  /** Initial normalized usage: U(lo, hi) (ours). */
  initialUsage: readonly [number, number];
}

export const DIFFICULTY: Record<Difficulty, DifficultyParams> = {
  easy: { budget: [0.9, 1.0], arrivalRate: 0.5, burstProbability: 0, burstSize: 0, initialEntries: [6, 7], initialUsage: [0.75, 0.95] },
  medium: { budget: [0.75, 0.9], arrivalRate: 1.0, burstProbability: 0, burstSize: 0, initialEntries: [7, 9], initialUsage: [0.85, 1.0] },
  hard: { budget: [0.65, 0.8], arrivalRate: 1.5, burstProbability: 0.2, burstSize: 3, initialEntries: [8, 10], initialUsage: [0.9, 1.05] },
};

/** Block-type mix of initial sequences and new requests (ours): weights over BLOCK_TYPES. */
export const BLOCK_TYPE_MIX: readonly number[] = [0.1, 0.25, 0.35, 0.2, 0.1];

/** Tools the model may call (source names). */
export const TOOL_NAMES = ["evict", "compress", "swap_to_cpu", "keep"] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

/** Most entries listed in each of the observation's two tables (ours, after the source's "top"). */
export const TOP_ENTRIES = 5;
