import type { HeadProfile } from "./params.js";
import type { LearnedWeights } from "./learned/weights.js";
import { checkTokenPolicies, tokenPolicy } from "./policies/registry.js";
import { allBudgetCost, rankAndRetain } from "./ranking.js";
import { attentionRow, headOutput, headView, type HeadView, type TokenTrace } from "./trace.js";

export const STANDARD_BUDGETS = [0.05, 0.1, 0.2, 0.5] as const;
/** Budgets of the retention curve: 20 log-spaced fractions from 1% to 90% of the context. */
export const CURVE_BUDGETS: readonly number[] = Array.from({ length: 20 }, (_, i) => Math.round(0.01 * 90 ** (i / 19) * 1e4) / 1e4);

export interface TokenEvalOptions {
  /** Policy names; "oracle" ranks by the future utility itself. */
  policies: readonly string[];
  /** Budgets as fractions of the context. */
  budgets?: readonly number[];
  /** Future queries sampled (evenly) per query head for the output error; 0 skips it. */
  errorQueries?: number;
  /** Trained weights, for the `learned` policy. */
  weights?: LearnedWeights;
  /** Called after each (layer, KV head) with the heads done and the trace's total, for progress. */
  onHead?: (done: number, total: number) => void;
}

export interface BudgetResult {
  fraction: number;
  budget: number;
  /** Retained share of the future utility, M(S_b). */
  retained: number;
  ratio: number;
  /** (M − b/T) / (M* − b/T): 0 = random, 1 = oracle. */
  normalized: number;
  /** Share of (needle, head) retrieval pairs whose needle is kept (synthetic traces). */
  needleSurvival?: number;
  /** Mean relative error of the head output on the sampled future queries. */
  outputError?: number;
}

export interface HeadResult {
  layer: number;
  head: number;
  profile?: HeadProfile;
  policy: string;
  /** C(σ*) / C(σ), in (0, 1], 1 = oracle (KVP's all-budget reward, normalized). */
  allBudgetScore: number;
  /** The same over budgets ≤ T/2. */
  allBudgetScoreHalf: number;
  needles: number;
  budgets: BudgetResult[];
  /** Ratio to the oracle at each of CURVE_BUDGETS. */
  curve: number[];
}

export interface HeadCommon {
  view: HeadView;
  utility: Float64Array;
  total: number;
  oracle: { order: Int32Array; rank: Int32Array; cost: { full: number; half: number }; cum: Float64Array };
  /** Context positions of the needles this head retrieves in the future. */
  needles: number[];
  errorRows: { row: Float64Array; t: number; full: Float64Array }[];
}

function retrievedNeedles(trace: TokenTrace, layer: number, head: number): number[] {
  const { events, needleId, decoy } = trace;
  if (!events || !needleId || !decoy) return [];
  const n = trace.header.tokens.total;
  const ids = new Set<number>();
  for (let e = 0; e + 3 < events.length; e += 4) if (events[e] === layer && events[e + 1] === head) ids.add(events[e + 3]!);
  const positions: number[] = [];
  for (let i = 0; i < trace.header.tokens.context; i++) {
    const m = needleId[layer * n + i]!;
    if (m >= 0 && !decoy[layer * n + i] && ids.has(m)) positions.push(i);
  }
  return positions;
}

export function prepare(trace: TokenTrace, layer: number, head: number, errorQueries: number): HeadCommon {
  const view = headView(trace, layer, head);
  const t = view.context;
  const base = (layer * trace.header.model.kvHeads + head) * t;
  const utility = Float64Array.from(trace.utilitySum.subarray(base, base + t));
  const total = utility.reduce((a, b) => a + b, 0);
  const { order, rank, cum } = rankAndRetain(utility, view.positions.subarray(0, t), utility);
  const errorRows: HeadCommon["errorRows"] = [];
  const f = view.total - t;
  const samples = Math.min(errorQueries, f);
  for (let s = 0; s < samples; s++) {
    const time = t + Math.floor(((s + 0.5) * f) / samples);
    for (let j = 0; j < view.groupSize; j++) {
      const row = new Float64Array(time + 1);
      attentionRow(view, j, time, row);
      errorRows.push({ row, t: time, full: headOutput(view, row, time + 1) });
    }
  }
  return { view, utility, total, oracle: { order, rank, cost: allBudgetCost(order, utility), cum }, needles: retrievedNeedles(trace, layer, head), errorRows };
}

/**
 * Relative output error at each budget for one ranking: walking the ranking accumulates
 * Σ a_j v_j and Σ a_j over the kept context tokens, so every budget costs one pass (the
 * generated tokens up to the query are always kept).
 */
export function outputErrors(common: HeadCommon, order: Int32Array, budgets: number[]): number[] {
  const { view, errorRows } = common;
  const d = view.headDim;
  const t = view.context;
  const errors = budgets.map(() => 0);
  if (errorRows.length === 0) return errors;
  const acc = new Float64Array(d);
  for (const { row, t: time, full } of errorRows) {
    acc.fill(0);
    let mass = 0;
    for (let i = t; i <= time; i++) {
      mass += row[i]!;
      for (let c = 0; c < d; c++) acc[c]! += row[i]! * view.values[i * d + c]!;
    }
    let fullNorm = 0;
    for (let c = 0; c < d; c++) fullNorm += full[c]! ** 2;
    fullNorm = Math.sqrt(fullNorm) || 1;
    let k = 0;
    // One walk down the ranking serves every budget, smallest first.
    const ascendingBudgets = budgets.map((b, bi) => ({ b, bi })).sort((x, y) => x.b - y.b);
    ascendingBudgets.forEach(({ b, bi }) => {
      for (; k < b; k++) {
        const i = order[k]!;
        mass += row[i]!;
        for (let c = 0; c < d; c++) acc[c]! += row[i]! * view.values[i * d + c]!;
      }
      let err = 0;
      for (let c = 0; c < d; c++) err += (full[c]! - (mass > 0 ? acc[c]! / mass : 0)) ** 2;
      errors[bi]! += Math.sqrt(err) / fullNorm / errorRows.length;
    });
  }
  return errors;
}

function scoreHead(trace: TokenTrace, common: HeadCommon, policy: string, layer: number, head: number, layerViews: HeadView[], fractions: readonly number[], weights?: LearnedWeights): HeadResult {
  const { view, utility, total, oracle } = common;
  const t = view.context;
  const ranking = policy === "oracle" ? oracle : (() => {
    const scores = tokenPolicy(policy, weights).score({ view, layerViews, seed: trace.header.generator?.seed ?? 0, layer, head });
    const r = rankAndRetain(scores, view.positions.subarray(0, t), utility);
    return { ...r, cost: allBudgetCost(r.order, utility) };
  })();
  const budgets = fractions.map((fr) => Math.max(1, Math.round(fr * t)));
  const errors = outputErrors(common, ranking.order, budgets);
  return {
    layer, head, profile: trace.header.profiles?.[head], policy,
    allBudgetScore: ranking.cost.full > 0 ? oracle.cost.full / ranking.cost.full : 1,
    allBudgetScoreHalf: ranking.cost.half > 0 ? oracle.cost.half / ranking.cost.half : 1,
    needles: common.needles.length,
    curve: CURVE_BUDGETS.map((fr) => {
      const b = Math.max(1, Math.round(fr * t));
      return oracle.cum[b]! > 0 ? ranking.cum[b]! / oracle.cum[b]! : 1;
    }),
    budgets: fractions.map((fraction, bi) => {
      const b = budgets[bi]!;
      const retained = total > 0 ? ranking.cum[b]! / total : 0;
      const best = total > 0 ? oracle.cum[b]! / total : 0;
      const chance = b / t;
      return {
        fraction, budget: b, retained, ratio: best > 0 ? retained / best : 1,
        normalized: best - chance > 1e-12 ? (retained - chance) / (best - chance) : 1,
        ...(common.needles.length > 0 ? { needleSurvival: common.needles.filter((pos) => ranking.rank[pos]! < b).length / common.needles.length } : {}),
        ...(common.errorRows.length > 0 ? { outputError: errors[bi]! } : {}),
      };
    }),
  };
}

/** Offline evaluation (docs/tokens.md): every policy ranks each (layer, KV head) once, scored at every budget. */
export function evaluateTokenTrace(trace: TokenTrace, options: TokenEvalOptions): HeadResult[] {
  checkTokenPolicies(options.policies, options.weights);
  const fractions = options.budgets ?? STANDARD_BUDGETS;
  const { layers, kvHeads } = trace.header.model;
  const results: HeadResult[] = [];
  for (let layer = 0; layer < layers; layer++) {
    const layerViews = Array.from({ length: kvHeads }, (_, h) => headView(trace, layer, h));
    for (let head = 0; head < kvHeads; head++) {
      const common = prepare(trace, layer, head, options.errorQueries ?? 16);
      for (const policy of options.policies) results.push(scoreHead(trace, common, policy, layer, head, layerViews, fractions, options.weights));
      options.onHead?.(layer * kvHeads + head + 1, layers * kvHeads);
    }
  }
  return results;
}

export interface SummaryRow {
  policy: string;
  profile: string;
  heads: number;
  allBudgetScore: number;
  /** Mean ratio to the oracle at each of CURVE_BUDGETS. */
  curve: number[];
  /** Per budget fraction: mean ratio, normalized, needle survival (pooled over pairs), output error. */
  budgets: { fraction: number; ratio: number; normalized: number; needleSurvival?: number; outputError?: number }[];
}

/** Macro-averages over heads, per policy and head profile (and "all"). */
export function summarizeTokenEval(results: readonly HeadResult[]): SummaryRow[] {
  const rows: SummaryRow[] = [];
  const policies = [...new Set(results.map((r) => r.policy))];
  const profiles = [...new Set(results.map((r) => r.profile ?? "all"))];
  for (const policy of policies) {
    for (const profile of [...profiles, ...(profiles.length > 1 ? ["all"] : [])]) {
      const group = results.filter((r) => r.policy === policy && (profile === "all" || (r.profile ?? "all") === profile));
      if (group.length === 0) continue;
      const mean = (f: (r: HeadResult) => number) => group.reduce((s, r) => s + f(r), 0) / group.length;
      rows.push({
        policy, profile, heads: group.length, allBudgetScore: mean((r) => r.allBudgetScore),
        curve: CURVE_BUDGETS.map((_, ci) => mean((r) => r.curve[ci]!)),
        budgets: group[0]!.budgets.map((b0, bi) => {
          const pairs = group.reduce((s, r) => s + r.needles, 0);
          const survived = group.reduce((s, r) => s + (r.budgets[bi]!.needleSurvival ?? 0) * r.needles, 0);
          const withError = group.filter((r) => r.budgets[bi]!.outputError !== undefined);
          return {
            fraction: b0.fraction, ratio: mean((r) => r.budgets[bi]!.ratio), normalized: mean((r) => r.budgets[bi]!.normalized),
            ...(pairs > 0 ? { needleSurvival: survived / pairs } : {}),
            ...(withError.length > 0 ? { outputError: withError.reduce((s, r) => s + r.budgets[bi]!.outputError!, 0) / withError.length } : {}),
          };
        }),
      });
    }
  }
  return rows;
}

