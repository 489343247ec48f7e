import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { adakvAllocator } from "../../src/tokens/budgets/adakv.js";
import { DEFAULT_ALLOCATOR_OPTIONS, roundToTotal } from "../../src/tokens/budgets/allocator.js";
import { duoAttentionAllocator, retrievalScore } from "../../src/tokens/budgets/duo-attention.js";
import { parseDuoPattern } from "../../src/tokens/budgets/duo-pattern.js";
import { pyramidkvAllocator } from "../../src/tokens/budgets/pyramidkv.js";
import { BUDGET_ALLOCATORS, budgetAllocator } from "../../src/tokens/budgets/registry.js";
import { evaluateTokenTrace } from "../../src/tokens/evaluate.js";
import { evaluateBudgetAllocation } from "../../src/tokens/evaluate-budgets.js";
import { generateTokenTrace } from "../../src/tokens/generate.js";
import { TOKEN_POLICIES } from "../../src/tokens/policies/registry.js";
import { headView } from "../../src/tokens/trace.js";

const T = 512;
const LLAMA_PATTERN = "tests/fixtures/duo-attention/Meta-Llama-3.1-8B-Instruct.full_attention_heads.tsv";
const trace = generateTokenTrace({ contextTokens: T, futureTokens: 64, kvHeads: 3, layers: 2, headDim: 16, obsWindow: 32, seed: 9 });
const views = [0, 1].map((l) => [0, 1, 2].map((h) => headView(trace, l, h)));
const FRACTIONS = [0.05, 0.2, 0.5];
const POLICIES = ["oracle", ...TOKEN_POLICIES.map((p) => p.name)];

describe.each(BUDGET_ALLOCATORS.map((a) => [a.name] as const))("budget allocator %s", (allocator) => {
  const rows = evaluateBudgetAllocation(trace, { policies: POLICIES, allocators: [allocator], budgets: FRACTIONS, errorQueries: 2 });

  it.each(POLICIES)("with %s: keeps exactly the total budget, each head within [0, T], and never beats the best split", (policy) => {
    const mine = rows.filter((r) => r.policy === policy);
    const model = mine.filter((r) => r.layer === null);
    expect(model.map((r) => r.fraction)).toEqual(FRACTIONS);
    for (const r of model) {
      expect(r.budget).toBe(6 * Math.round(r.fraction * T));
      expect(r.kept).toBe(r.budget);
      expect(r.minHeadBudget).toBeGreaterThanOrEqual(0);
      expect(r.maxHeadBudget).toBeLessThanOrEqual(T);
      expect(r.ratio).toBeGreaterThan(0);
      expect(r.ratio).toBeLessThanOrEqual(1 + 1e-9);
      expect(r.outputError).toBeGreaterThanOrEqual(0);
      // The layers' kept tokens add up to the model's.
      expect(mine.filter((x) => x.layer !== null && x.fraction === r.fraction).reduce((s, x) => s + x.kept, 0)).toBe(r.kept);
    }
  });
});

describe("budget allocators", () => {
  const scores = (policy: string) => views.map((layer, l) => layer.map((view, h) => TOKEN_POLICIES.find((p) => p.name === policy)!.score({ view, layerViews: layer, seed: 9, layer: l, head: h })));
  const ctx = (perHead: number, policy = "snapkv") => ({ perHead, context: T, views, scores: scores(policy), options: DEFAULT_ALLOCATOR_OPTIONS });

  it("uniform gives the per-head evaluation's results", () => {
    const heads = evaluateTokenTrace(trace, { policies: ["tova"], budgets: [0.2], errorQueries: 0 });
    const [model] = evaluateBudgetAllocation(trace, { policies: ["tova"], allocators: ["uniform"], budgets: [0.2], errorQueries: 0 }).filter((r) => r.layer === null);
    expect(model!.retained).toBeCloseTo(heads.reduce((s, h) => s + h.budgets[0]!.retained, 0) / heads.length, 12);
  });

  it("adakv keeps each layer's total, and its safeguard: every head keeps at least int(n_kept · alpha_safeguard)", () => {
    for (const policy of ["snapkv", "knorm", "expected_attention"]) {
      for (const n of [26, 102, 256]) {
        const { budgets } = adakvAllocator.allocate(ctx(n, policy));
        for (const layer of budgets) {
          expect(layer.reduce((a, b) => a + b, 0)).toBe(3 * n);
          for (const b of layer) expect(b).toBeGreaterThanOrEqual(Math.floor(n * 0.2));
        }
      }
    }
    // With alpha = 1 the safeguard is the whole budget: uniform.
    expect(adakvAllocator.allocate({ ...ctx(102), options: { ...DEFAULT_ALLOCATOR_OPTIONS, alphaSafeguard: 1 } }).budgets).toEqual([[102, 102, 102], [102, 102, 102]]);
  });

  it("pyramidkv follows kvpress's get_layer_budget, and falls back to uniform where kvpress does", () => {
    // T = 4096, 4 layers, n = 2048, window 64, beta 20: min = 102.4, max = 3993.6, steps 1297.07;
    // kvpress round(max − l·steps) = [3994, 2697, 1399, 102], which sums to 4 · 2048.
    const wide = Array.from({ length: 4 }, () => views[0]!);
    const at = (perHead: number) => pyramidkvAllocator.allocate({ perHead, context: 4096, views: wide, scores: [], options: DEFAULT_ALLOCATOR_OPTIONS }).budgets.map((l) => l[0]);
    expect(at(2048)).toEqual([3994, 2697, 1399, 102]);
    // n = 410: min = 20.5 < window 64, so kvpress falls back to SnapKV's uniform budget.
    expect(at(410)).toEqual([410, 410, 410, 410]);
    // One layer: uniform (kvpress's step would divide by zero).
    expect(pyramidkvAllocator.allocate({ ...ctx(256), views: [views[0]!] }).budgets).toEqual([[256, 256, 256]]);
  });

  it("rounds to an exact total with largest remainders", () => {
    expect(roundToTotal([1.5, 1.5, 1], 4)).toEqual([2, 1, 1]);
    expect(roundToTotal([0.2, 0.7, 2.1], 3)).toEqual([0, 1, 2]);
  });

  it("duo_attention makes the heads with the most attention beyond sink + recent retrieval heads, the rest streaming", () => {
    const options = { ...DEFAULT_ALLOCATOR_OPTIONS, duoRecent: 60 };
    // Total 6 × 256 = 1536; streaming heads need 64: floor((1536 − 6·64) / (512 − 64)) = 2 retrieval heads.
    const { budgets, rankedBy } = duoAttentionAllocator.allocate({ ...ctx(256), options });
    const flat = budgets.flat();
    expect(flat.filter((b) => b === T)).toHaveLength(2);
    expect(flat.reduce((a, b) => a + b, 0)).toBe(1536);
    const score = views.flat().map((v) => retrievalScore(v, 4, 60));
    const top = [...score.keys()].sort((a, b) => score[b]! - score[a]!).slice(0, 2);
    for (const i of top) expect(flat[i]).toBe(T);
    // Streaming heads share the rest, (1536 − 2·512)/4 = 128 each, and keep sinks + recent.
    expect(flat.filter((b) => b !== T)).toEqual([128, 128, 128, 128]);
    expect(rankedBy!.flat().filter((x) => x === "streaming_llm")).toHaveLength(4);
    // The streaming profile's heads (head 0 of each layer) attend least beyond their window.
    expect(Math.min(score[1]!, score[2]!)).toBeGreaterThan(score[0]!);
  });

  it("duo_attention ranks heads by DuoAttention's trained gates when given them, ties to the earlier head, and refuses a pattern of another shape", () => {
    // Gates for 2 layers × 3 heads: the two highest, (1, 2) and then (0, 1) tied with (1, 0), win.
    const duoPattern = parseDuoPattern("0.1\t0.8\t0.3\n0.8\t0.2\t1.5\n", "hand.tsv");
    expect(duoPattern).toEqual([[0.1, 0.8, 0.3], [0.8, 0.2, 1]]); // clipped to [0, 1]
    const options = { ...DEFAULT_ALLOCATOR_OPTIONS, duoRecent: 60, duoPattern };
    const { budgets, rankedBy } = duoAttentionAllocator.allocate({ ...ctx(256), options });
    expect(budgets).toEqual([[128, T, 128], [128, 128, T]]);
    expect(rankedBy).toEqual([["streaming_llm", undefined, "streaming_llm"], ["streaming_llm", "streaming_llm", undefined]]);
    // DuoAttention's own gates for Llama-3.1-8B-Instruct (32 layers × 8 KV heads) do not fit this 2 × 3 trace.
    const llama = parseDuoPattern(readFileSync(LLAMA_PATTERN, "utf8"), LLAMA_PATTERN);
    expect([llama.length, llama[0]!.length, llama[0]![0]]).toEqual([32, 8, 0.60546875]);
    expect(() => duoAttentionAllocator.allocate({ ...ctx(256), options: { ...options, duoPattern: llama, duoPatternFile: LLAMA_PATTERN } }))
      .toThrow(/Meta-Llama-3\.1-8B-Instruct\.full_attention_heads\.tsv: the head pattern is 32 layers × 8 KV heads, but the trace's model has 2 × 3/);
  });

  it("refuses a head pattern that is not a table of numbers, naming the line", () => {
    expect(() => parseDuoPattern("0.1\t0.2\n0.3\tx\n", "bad.tsv")).toThrow(/bad\.tsv:2: gate 2 is "x", not a number/);
    expect(() => parseDuoPattern("0.1\t0.2\n0.3\n", "ragged.tsv")).toThrow(/ragged\.tsv:2: 1 gates, but line 1 has 2/);
    expect(() => parseDuoPattern("\n", "empty.tsv")).toThrow(/empty\.tsv: .*the file is empty/);
  });

  it("names an unknown allocator", () => {
    expect(() => budgetAllocator("magic")).toThrow(/unknown budget allocator "magic" \(known: uniform, adakv, pyramidkv, duo_attention\)/);
  });
});
