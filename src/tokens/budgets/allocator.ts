import type { HeadView } from "../trace.js";

/** Tunables of the allocators, each with the default of the system it follows. */
export interface AllocatorOptions {
  /** AdaKV: each head keeps at least this fraction of the uniform per-head budget (kvpress alpha_safeguard). */
  alphaSafeguard: number;
  /** PyramidKV: pyramid steepness (kvpress beta) and observation window (kvpress window_size). */
  pyramidBeta: number;
  pyramidWindow: number;
  /** DuoAttention: what a streaming head keeps, sinks then the most recent tokens. */
  duoSink: number;
  duoRecent: number;
  /**
   * DuoAttention: trained gates [layer][head] (`parseDuoPattern`) that rank the heads instead of
   * the score computed on the trace; `duoPatternFile` names them in errors.
   */
  duoPattern?: number[][];
  duoPatternFile?: string;
}

export const DEFAULT_ALLOCATOR_OPTIONS: AllocatorOptions = { alphaSafeguard: 0.2, pyramidBeta: 20, pyramidWindow: 64, duoSink: 4, duoRecent: 256 };

/** What an allocator is given: every head of every layer, with the press's scores. */
export interface AllocationContext {
  /** The uniform per-head budget, round(fraction × T); the total to spend is layers × kvHeads × perHead. */
  perHead: number;
  context: number;
  /** [layer][head] */
  views: HeadView[][];
  /** The press's scores, [layer][head], one per context token. */
  scores: Float64Array[][];
  options: AllocatorOptions;
}

export interface Allocation {
  /** Kept tokens per [layer][head]; they sum to layers × kvHeads × perHead. */
  budgets: number[][];
  /** Heads whose kept set follows another policy than the press (DuoAttention's streaming heads). */
  rankedBy?: (string | undefined)[][];
}

/**
 * A budget allocator: how a fixed total of kept tokens is spread over the heads and layers. The
 * kept set of a head with budget b is the top b of its own ranking (unless `rankedBy` says
 * otherwise), so allocators decide only how many.
 */
export interface BudgetAllocator {
  name: string;
  summary: string;
  source: string;
  allocate(ctx: AllocationContext): Allocation;
}

/**
 * Integer parts of non-negative reals summing to `total` (largest remainders, ties to the
 * earlier index), for the allocators whose formula gives fractions.
 */
export function roundToTotal(reals: readonly number[], total: number): number[] {
  const floors = reals.map(Math.floor);
  let left = total - floors.reduce((a, b) => a + b, 0);
  const order = reals.map((x, i) => ({ r: x - Math.floor(x), i })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    floors[i]!++;
    left--;
  }
  return floors;
}
