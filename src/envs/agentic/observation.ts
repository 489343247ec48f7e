import { AT_RISK_WAIT, BLOCK_TYPES, MAX_STEPS, QUANTIZATIONS, TOP_ENTRIES, type BlockType, type Quantization } from "./constants.js";
import { round3, type AgenticSimulator, type Entry } from "./simulator.js";

export interface MemoryEntryView {
  seq_id: string;
  block_type: BlockType;
  memory_cost: number;
  tokens_cached: number;
  quantization: Quantization;
  priority: number;
  progress: number;
  shared_prefix_id: string | null;
}

export interface CandidateView {
  seq_id: string;
  block_type: BlockType;
  eviction_value: number;
  priority: number;
  progress: number;
  quantization: Quantization;
  swapped: boolean;
  memory_cost: number;
  score: number;
}

/** The compact observation the model reads (field order as published). */
export interface AgenticObservation {
  memory_usage: number;
  memory_budget: number;
  episode_remaining: number;
  time_above_0_95: number;
  pending_queue_growth: number;
  cache_overview: {
    entries: number;
    by_block_type: Record<BlockType, number>;
    compressed: number;
    swapped: number;
    normalized_usage: number;
  };
  top_memory_entries: MemoryEntryView[];
  top_eviction_candidates: CandidateView[];
  pending_summary: { count: number; oldest_wait: number; at_risk: number };
  visible_seq_ids: string[];
}

/** Safety first, then low priority, then low progress (ours; the source's list is "pre-scored"). */
export function candidateScore(sim: AgenticSimulator, e: Entry): number {
  return round3(0.6 * sim.evictionValue(e) + 0.25 * (1 - e.priority) + 0.15 * (1 - sim.progress(e)));
}

interface Ranked {
  e: Entry;
  cost: number;
  score: number;
}

/** Resident (non-swapped) entries with their cost and candidate score, each computed once. */
function ranked(sim: AgenticSimulator): Ranked[] {
  const out: Ranked[] = [];
  for (const e of sim.entries) if (!e.isSwapped) out.push({ e, cost: sim.memoryCost(e), score: candidateScore(sim, e) });
  return out;
}

const byCost = (a: Ranked, b: Ranked) => b.cost - a.cost || a.e.id - b.e.id;
const byScore = (a: Ranked, b: Ranked) => b.score - a.score || b.cost - a.cost || a.e.id - b.e.id;
/** The first TOP_ENTRIES rows in `order`, by insertion into a short sorted list (no full sort). */
function top(rows: Ranked[], order: (a: Ranked, b: Ranked) => number): Entry[] {
  const best: Ranked[] = [];
  for (const r of rows) {
    let i = best.length;
    while (i > 0 && order(r, best[i - 1]!) < 0) i--;
    if (i < TOP_ENTRIES) {
      best.splice(i, 0, r);
      if (best.length > TOP_ENTRIES) best.pop();
    }
  }
  return best.map((r) => r.e);
}

/**
 * Both tables — up to five resident entries by memory cost (ties by id), and up to five by
 * candidate score (ties by larger cost, then id) — and their union in first-appearance order,
 * from one ranking pass.
 */
function tables(sim: AgenticSimulator): { memory: Entry[]; candidates: Entry[]; visible: Entry[] } {
  const rows = ranked(sim);
  const memory = top(rows, byCost);
  const candidates = top(rows, byScore);
  const visible = [...memory];
  for (const e of candidates) if (!visible.includes(e)) visible.push(e);
  return { memory, candidates, visible };
}

/** The ids the tools should use: both tables' ids in first-appearance order (at most 10). */
export function visibleEntries(sim: AgenticSimulator): Entry[] {
  return tables(sim).visible;
}

export function buildObservation(sim: AgenticSimulator): AgenticObservation {
  const byType = Object.fromEntries(BLOCK_TYPES.map((t) => [t, 0])) as Record<BlockType, number>;
  let compressed = 0;
  let swapped = 0;
  for (const e of sim.entries) {
    byType[e.blockType]++;
    if (e.quant > 0) compressed++;
    if (e.isSwapped) swapped++;
  }
  const prefixId = (e: Entry) => (e.prefix >= 0 ? `p${e.prefix}` : null);
  const { memory, candidates, visible } = tables(sim);
  return {
    memory_usage: round3(sim.memoryUsage),
    memory_budget: round3(sim.memoryBudget),
    episode_remaining: MAX_STEPS - sim.step,
    time_above_0_95: sim.timeAbove095,
    pending_queue_growth: sim.pendingQueueGrowth,
    cache_overview: { entries: sim.entries.length, by_block_type: byType, compressed, swapped, normalized_usage: round3(sim.normalizedUsage) },
    top_memory_entries: memory.map((e) => ({
      seq_id: e.seqId, block_type: e.blockType, memory_cost: round3(sim.memoryCost(e)), tokens_cached: e.tokensCached,
      quantization: QUANTIZATIONS[e.quant]!, priority: e.priority, progress: round3(sim.progress(e)), shared_prefix_id: prefixId(e),
    })),
    top_eviction_candidates: candidates.map((e) => ({
      seq_id: e.seqId, block_type: e.blockType, eviction_value: sim.evictionValue(e), priority: e.priority, progress: round3(sim.progress(e)),
      quantization: QUANTIZATIONS[e.quant]!, swapped: e.isSwapped, memory_cost: round3(sim.memoryCost(e)), score: candidateScore(sim, e),
    })),
    pending_summary: {
      count: sim.pending.length,
      oldest_wait: sim.pending.reduce((m, p) => Math.max(m, p.wait), 0),
      at_risk: sim.pending.filter((p) => p.wait >= AT_RISK_WAIT).length,
    },
    visible_seq_ids: visible.map((e) => e.seqId),
  };
}

/** Numeric features per visible slot, for RL agents (see `observationFeatures`). */
export const SLOT_FEATURES = ["eviction_value", "priority", "progress", "quant_level", "memory_cost", "score", "shared"] as const;
export const GLOBAL_FEATURES = [
  "memory_usage", "memory_budget", "normalized_usage", "episode_remaining", "time_above_0_95", "pending_count", "oldest_wait", "at_risk",
] as const;
export const VISIBLE_SLOTS = 2 * TOP_ENTRIES;

/**
 * The same observation as a fixed-length vector: global features, then SLOT_FEATURES for each of
 * the ten visible slots in `visible_seq_ids` order (zeros for empty slots). Actions name slots.
 */
export function observationFeatures(sim: AgenticSimulator, visible: readonly Entry[]): number[] {
  const out = [
    sim.memoryUsage, sim.memoryBudget, sim.normalizedUsage, (MAX_STEPS - sim.step) / MAX_STEPS, sim.timeAbove095 / MAX_STEPS,
    sim.pending.length / 10, sim.pending.reduce((m, p) => Math.max(m, p.wait), 0) / 5, sim.pending.filter((p) => p.wait >= AT_RISK_WAIT).length / 10,
  ];
  for (let i = 0; i < VISIBLE_SLOTS; i++) {
    const e = visible[i];
    if (!e) {
      out.push(0, 0, 0, 0, 0, 0, 0);
      continue;
    }
    out.push(sim.evictionValue(e), e.priority, sim.progress(e), e.quant / 2, sim.memoryCost(e), candidateScore(sim, e), e.prefix >= 0 ? 1 : 0);
  }
  return out;
}
