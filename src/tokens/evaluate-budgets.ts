import { DEFAULT_ALLOCATOR_OPTIONS, type AllocatorOptions } from "./budgets/allocator.js";
import { budgetAllocator } from "./budgets/registry.js";
import { STANDARD_BUDGETS, outputErrors, prepare, type HeadCommon } from "./evaluate.js";
import type { LearnedWeights } from "./learned/weights.js";
import { checkTokenPolicies, tokenPolicy } from "./policies/registry.js";
import { rankAndRetain } from "./ranking.js";
import { headView, type TokenTrace } from "./trace.js";

export interface BudgetEvalOptions {
  policies: readonly string[];
  allocators: readonly string[];
  budgets?: readonly number[];
  errorQueries?: number;
  weights?: LearnedWeights;
  allocatorOptions?: Partial<AllocatorOptions>;
}

/** One layer, or the whole model (layer null), under one allocator, press and total budget. */
export interface AllocationRow {
  allocator: string;
  policy: string;
  fraction: number;
  layer: number | null;
  heads: number;
  /** Tokens the allocator may keep over these heads (heads × round(fraction × T)) and what it kept. */
  budget: number;
  kept: number;
  minHeadBudget: number;
  maxHeadBudget: number;
  /** Mean over the heads of each head's retained share of its own future utility. */
  retained: number;
  /** The most any split of the same kept tokens over these heads could retain (mean share). */
  oracleRetained: number;
  ratio: number;
  needleSurvival?: number;
  outputError?: number;
}

interface HeadOutcome { budget: number; share: number; needles: number; survived: number; error?: number }

/** The mean share the best split of `kept` tokens over these heads retains: the top `kept` of every head's utility over its total. */
function freeAllocationOracle(commons: HeadCommon[], kept: number): number {
  const shares = Float64Array.from(commons.flatMap((c) => Array.from(c.utility, (u) => (c.total > 0 ? u / c.total : 0)))).sort().reverse();
  let sum = 0;
  for (let k = 0; k < Math.min(kept, shares.length); k++) sum += shares[k]!;
  return sum / commons.length;
}

function row(allocator: string, policy: string, fraction: number, layer: number | null, perHead: number, outcomes: HeadOutcome[], commons: HeadCommon[]): AllocationRow {
  const kept = outcomes.reduce((s, o) => s + o.budget, 0);
  const retained = outcomes.reduce((s, o) => s + o.share, 0) / outcomes.length;
  const oracleRetained = freeAllocationOracle(commons, kept);
  const needles = outcomes.reduce((s, o) => s + o.needles, 0);
  const withError = outcomes.filter((o) => o.error !== undefined);
  return {
    allocator, policy, fraction, layer, heads: outcomes.length, budget: outcomes.length * perHead, kept,
    minHeadBudget: Math.min(...outcomes.map((o) => o.budget)), maxHeadBudget: Math.max(...outcomes.map((o) => o.budget)),
    retained, oracleRetained, ratio: oracleRetained > 0 ? retained / oracleRetained : 1,
    ...(needles > 0 ? { needleSurvival: outcomes.reduce((s, o) => s + o.survived, 0) / needles } : {}),
    ...(withError.length > 0 ? { outputError: withError.reduce((s, o) => s + o.error!, 0) / withError.length } : {}),
  };
}

/**
 * Evaluation under per-head and per-layer budgets (docs/tokens.md, "Budgets"): for each total
 * budget (layers × kvHeads × round(fraction × T) tokens), each allocator splits it over the heads,
 * each head keeps the top of its press's ranking, and the result is reported per layer and for
 * the model, against the best split of the same total.
 */
export function evaluateBudgetAllocation(trace: TokenTrace, options: BudgetEvalOptions): AllocationRow[] {
  checkTokenPolicies(options.policies, options.weights);
  const allocators = options.allocators.map(budgetAllocator);
  const allocatorOptions = { ...DEFAULT_ALLOCATOR_OPTIONS, ...options.allocatorOptions };
  const { layers, kvHeads } = trace.header.model;
  const t = trace.header.tokens.context;
  const seed = trace.header.generator?.seed ?? 0;
  const views = Array.from({ length: layers }, (_, l) => Array.from({ length: kvHeads }, (_, h) => headView(trace, l, h)));
  const commons = views.map((layer, l) => layer.map((_, h) => prepare(trace, l, h, options.errorQueries ?? 16)));
  const rows: AllocationRow[] = [];
  // Each policy's scores and rankings, computed once (DuoAttention's streaming heads reuse streaming_llm's).
  const cache = new Map<string, { scores: Float64Array[][]; ranked: ReturnType<typeof rankAndRetain>[][] }>();
  const rankingsOf = (policy: string) => {
    if (!cache.has(policy)) {
      const scores = views.map((layer, l) => layer.map((view, h) => policy === "oracle"
        ? Float64Array.from(commons[l]![h]!.utility)
        : tokenPolicy(policy, options.weights).score({ view, layerViews: layer, seed, layer: l, head: h })));
      cache.set(policy, { scores, ranked: scores.map((layer, l) => layer.map((x, h) => rankAndRetain(x, views[l]![h]!.positions.subarray(0, t), commons[l]![h]!.utility))) });
    }
    return cache.get(policy)!;
  };
  for (const policy of options.policies) {
    const { scores } = rankingsOf(policy);
    for (const fraction of options.budgets ?? STANDARD_BUDGETS) {
      const perHead = Math.max(1, Math.round(fraction * t));
      for (const allocator of allocators) {
        const { budgets, rankedBy } = allocator.allocate({ perHead, context: t, views, scores, options: allocatorOptions });
        const outcomes = budgets.map((layer, l) => layer.map((b, h): HeadOutcome => {
          const by = rankedBy?.[l]?.[h];
          const r = rankingsOf(by ?? policy).ranked[l]![h]!;
          const c = commons[l]![h]!;
          return {
            budget: b, share: c.total > 0 ? r.cum[b]! / c.total : 0, needles: c.needles.length,
            survived: c.needles.filter((pos) => r.rank[pos]! < b).length,
            ...(c.errorRows.length > 0 ? { error: outputErrors(c, r.order, [b])[0]! } : {}),
          };
        }));
        outcomes.forEach((layer, l) => rows.push(row(allocator.name, policy, fraction, l, perHead, layer, commons[l]!)));
        rows.push(row(allocator.name, policy, fraction, null, perHead, outcomes.flat(), commons.flat()));
      }
    }
  }
  return rows;
}
