import { describe, expect, it } from "vitest";
import { evaluateTokenTrace, summarizeTokenEval } from "../../src/tokens/evaluate.js";
import { generateTokenTrace } from "../../src/tokens/generate.js";
import { FORCE } from "../../src/tokens/policies/policy.js";
import { TOKEN_POLICIES } from "../../src/tokens/policies/registry.js";
import { allBudgetCost, rankAndRetain, rankByScore } from "../../src/tokens/ranking.js";
import { Xoshiro128 } from "../../src/tokens/rng.js";
import { headView } from "../../src/tokens/trace.js";

const trace = generateTokenTrace({ contextTokens: 768, futureTokens: 128, kvHeads: 3, headDim: 32, seed: 11 });
const views = [0, 1, 2].map((h) => headView(trace, 0, h));

describe.each(TOKEN_POLICIES.map((p) => [p.name, p] as const))("token policy %s", (_name, policy) => {
  it("scores every context token, finitely or as a forced keep, deterministically", () => {
    for (let h = 0; h < 3; h++) {
      const ctx = { view: views[h]!, layerViews: views, seed: 11, layer: 0, head: h };
      const s = policy.score(ctx);
      expect(s).toHaveLength(768);
      expect(s.every((x) => Number.isFinite(x) && (x < FORCE / 2 || x >= FORCE))).toBe(true);
      expect(policy.score(ctx)).toEqual(s);
    }
  });

  it("keeps the retained share between chance-level extremes and its ratio within (0, 1]", () => {
    const results = evaluateTokenTrace(trace, { policies: [policy.name], budgets: [0.05, 0.1, 0.2, 0.5], errorQueries: 4 });
    for (const r of results) {
      expect(r.allBudgetScore).toBeGreaterThan(0);
      for (const b of r.budgets) {
        expect(b.retained).toBeGreaterThan(0);
        expect(b.ratio).toBeLessThanOrEqual(1 + 1e-9);
        expect(b.outputError!).toBeGreaterThanOrEqual(0);
      }
    }
  });
});

describe("offline evaluation", () => {
  const results = evaluateTokenTrace(trace, { policies: ["oracle", "streaming_llm", "random"], errorQueries: 8 });
  const summary = summarizeTokenEval(results);
  const row = (policy: string, profile: string) => summary.find((r) => r.policy === policy && r.profile === profile)!;

  it("scores the oracle 1 everywhere, with the least output error", () => {
    for (const r of results.filter((x) => x.policy === "oracle")) {
      expect(r.allBudgetScore).toBe(1);
      expect(r.budgets.every((b) => b.ratio === 1 && b.normalized === 1)).toBe(true);
    }
    expect(row("oracle", "all").budgets[3]!.outputError!).toBeLessThan(row("random", "all").budgets[3]!.outputError!);
  });

  it("keeps nearly everything StreamingLLM needs on streaming heads, and finds no needle with it", () => {
    expect(row("streaming_llm", "streaming").budgets[2]!.ratio).toBeGreaterThan(0.9);
    expect(row("streaming_llm", "retrieval").budgets[0]!.needleSurvival).toBe(0);
  });

  it("computes the all-budget cost as the sum over budgets of evicted utility", () => {
    const u = [0.5, 0.1, 0.3, 0.0, 0.2];
    const { order } = rankByScore([5, 4, 3, 2, 1], [0, 1, 2, 3, 4]);
    let direct = 0;
    for (let b = 1; b < u.length; b++) for (let k = b; k < u.length; k++) direct += u[order[k]!]!;
    expect(allBudgetCost(order, u).full).toBeCloseTo(direct, 12);
    // Ties go to the larger position.
    expect([...rankByScore([1, 1, 2], [0, 1, 2]).order]).toEqual([2, 1, 0]);
  });

  it("ranks in WASM (radix sort) exactly as a comparator sort does, and retains utility at every budget", () => {
    const rng = new Xoshiro128(5);
    for (const n of [1, 2, 17, 1000, 5000]) {
      // Many ties, negative values and zeros, to exercise the tie rule and the float key map.
      const scores = Float64Array.from({ length: n }, () => Math.round((rng.uniform() - 0.5) * 20) / 4);
      const utility = Float64Array.from({ length: n }, () => rng.uniform());
      const positions = Int32Array.from({ length: n }, (_, i) => i);
      const comparator = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]! || b - a);
      const { order, rank, cum } = rankAndRetain(scores, positions, utility);
      expect(order).toEqual(comparator);
      expect(rank[order[0]!]).toBe(0);
      let sum = 0;
      for (let b = 0; b <= n; b++) {
        expect(cum[b]).toBeCloseTo(sum, 9);
        if (b < n) sum += utility[order[b]!]!;
      }
      // Positions that are not ascending take the comparator path, with the same tie rule.
      const shuffled = Int32Array.from({ length: n }, (_, i) => (i * 7919) % (n + 13));
      const expected = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]! || shuffled[b]! - shuffled[a]!);
      expect(rankByScore(scores, shuffled).order).toEqual(expected);
    }
  });

  it("gives every budget its own output error whatever order the budgets come in", () => {
    const forward = evaluateTokenTrace(trace, { policies: ["knorm"], budgets: [0.1, 0.5], errorQueries: 6 });
    const backward = evaluateTokenTrace(trace, { policies: ["knorm"], budgets: [0.5, 0.1], errorQueries: 6 });
    for (let h = 0; h < 3; h++) {
      expect(backward[h]!.budgets[1]!.outputError).toBeCloseTo(forward[h]!.budgets[0]!.outputError!, 12);
      expect(backward[h]!.budgets[0]!.outputError).toBeCloseTo(forward[h]!.budgets[1]!.outputError!, 12);
    }
  });

  it("rejects an unknown policy before doing any work", () => {
    expect(() => evaluateTokenTrace(trace, { policies: ["oracle", "magic"] })).toThrow(/unknown token policy "magic"/);
  });
});
