/**
 * kvpress parity: each press kvsim shares with NVIDIA/kvpress, on a small case computed by hand
 * from kvpress's own definition (file and function cited per test, `kvpress/presses/…`).
 */
import { describe, expect, it } from "vitest";
import { contextAccumulations, generateTokenTrace, queryStatistics } from "../../src/tokens/generate.js";
import { expectedAttention } from "../../src/tokens/policies/expected-attention.js";
import { meanRotation } from "../../src/tokens/rope.js";
import { keydiff } from "../../src/tokens/policies/keydiff.js";
import { knorm } from "../../src/tokens/policies/knorm.js";
import { observedAttention } from "../../src/tokens/policies/observed-attention.js";
import { FORCE, type TokenPolicy } from "../../src/tokens/policies/policy.js";
import { randomPolicy } from "../../src/tokens/policies/random.js";
import { snapkv } from "../../src/tokens/policies/snapkv.js";
import { streamingLlm } from "../../src/tokens/policies/streaming-llm.js";
import { tova } from "../../src/tokens/policies/tova.js";
import { rankByScore } from "../../src/tokens/ranking.js";
import { headView, type HeadView } from "../../src/tokens/trace.js";
import { referenceAttentionRow } from "../reference/attention-row.js";

describe("observed_attention = kvpress ObservedAttentionPress (observed_attention_press.py, score)", () => {
  // Two query heads of one KV head over T = 3 context tokens; row t is a(t, 0..t).
  const rows = [
    [[1], [0.6, 0.4], [0.5, 0.2, 0.3]],
    [[1], [0.8, 0.2], [0.1, 0.6, 0.3]],
  ];
  const { h2o, observed } = contextAccumulations(3, 2, 1, 2, (j, t) => rows[j]![t]!);

  it("divides each column sum by the number of queries that see the token, then averages the group", () => {
    // attentions.sum(2): head 0 [2.1, 0.6, 0.3], head 1 [1.9, 0.8, 0.3]; / arange(3, 0, -1) = [3, 2, 1]:
    // head 0 [0.7, 0.3, 0.3], head 1 [0.6333…, 0.4, 0.3]; .mean(2) over the group:
    expect([...observed].map((x) => +x.toFixed(12))).toEqual([0.666666666667, 0.35, 0.3]);
  });

  it("differs from kvsim's h2o, the raw group-mean sum over every stride-th query plus the last window", () => {
    // Stride 2, window 1: queries 0 and 2. Head 0 [1.5, 0.2, 0.3], head 1 [1.1, 0.6, 0.3].
    expect([...h2o].map((x) => +x.toFixed(12))).toEqual([1.3, 0.4, 0.3]);
  });

  it("stores, in a generated trace, what the stored window queries give for the tokens only they see", () => {
    const trace = generateTokenTrace({ contextTokens: 512, futureTokens: 32, kvHeads: 2, groupSize: 2, headDim: 16, obsWindow: 32, seed: 5 });
    const t = 512;
    for (let h = 0; h < 2; h++) {
      const view = headView(trace, 0, h);
      const score = observedAttention.score({ view, layerViews: [view], seed: 5, layer: 0, head: h });
      // Tokens i ≥ queryStart are seen only by stored queries t ∈ [i, T).
      for (let i = view.queryStart; i < t; i++) {
        let sum = 0;
        for (let j = 0; j < 2; j++) for (let q = i; q < t; q++) sum += referenceAttentionRow(view, j, q)[i]! / 2;
        expect(score[i]).toBeCloseTo(sum / (t - i), 5);
      }
    }
  });

  it("names the missing array on a trace written without it", () => {
    const trace = generateTokenTrace({ contextTokens: 512, futureTokens: 32, kvHeads: 1, headDim: 16, obsWindow: 32 });
    delete trace.observedAttn;
    const view = headView(trace, 0, 0);
    expect(() => observedAttention.score({ view, layerViews: [view], seed: 1, layer: 0, head: 0 })).toThrow(/observed_attn/);
  });
});

const D = 4;

/**
 * A hand-made head: keys given by their first coordinates (the rest 0), d = 4, softmax scale 1 and
 * no position bias, so each attention row is plain softmax of the key coordinates times q.
 */
function handView(keyRows: number[][], queryRows: number[][][], queryStart: number): HeadView {
  const t = keyRows.length;
  const keys = new Float32Array(t * D);
  keyRows.forEach((k, i) => keys.set(k, i * D));
  const queries = queryRows.map((rows) => {
    const q = new Float32Array((t - queryStart) * D);
    rows.forEach((r, i) => q.set(r, i * D));
    return q;
  });
  return {
    context: t, total: t, headDim: D, groupSize: queries.length, keys, values: new Float32Array(t * D), queries, queryStart,
    positions: Int32Array.from({ length: t }, (_, i) => i), softmaxScale: 1, biasSlopes: queries.map(() => 0), biasCap: 0, h2oAcc: new Float32Array(t),
  };
}

function scores(policy: TokenPolicy, view: HeadView, layerViews = [view], head = 0): number[] {
  return [...policy.score({ view, layerViews, seed: 3, layer: 0, head })];
}

/** kvpress's ScorerPress.compress keeps `scores.topk(int(T·(1 − ratio)))`; kvsim keeps the top b of its ranking. */
function kept(s: ArrayLike<number>, b: number): number[] {
  return [...rankByScore(s, Int32Array.from({ length: s.length }, (_, i) => i)).order.subarray(0, b)].sort((x, y) => x - y);
}

describe("streaming_llm = kvpress StreamingLLMPress (streaming_llm_press.py, score)", () => {
  it("keeps the n_sink = 4 sinks and the most recent tokens at every ratio", () => {
    const t = 10;
    const view = handView(Array.from({ length: t }, () => [1, 0, 0, 0]), [], t);
    const s = scores(streamingLlm, view);
    for (let nKept = 4; nKept <= t; nKept++) {
      // kvpress: scores 1, except 0 on [n_sink, n_sink + n_pruned) with n_pruned = T − n_kept.
      const press = Array.from({ length: t }, (_, i) => (i >= 4 && i < 4 + (t - nKept) ? 0 : 1));
      expect(kept(s, nKept)).toEqual(press.flatMap((x, i) => (x === 1 ? [i] : [])));
    }
  });
});

describe("knorm = kvpress KnormPress (knorm_press.py, score: −keys.norm(dim=−1))", () => {
  it("scores minus the L2 norm of each key", () => {
    const view = handView([[3, 4, 0, 0], [1, 0, 0, 0], [0, 0, 0, 2], [1, 1, 1, 1]], [], 4);
    expect(scores(knorm, view)).toEqual([-5, -1, -2, -2]);
  });
});

describe("keydiff = kvpress KeyDiffPress (keydiff_press.py, score)", () => {
  it("scores minus the cosine to the mean of the normalized keys", () => {
    const view = handView([[1, 0, 0, 0], [0, 1, 0, 0], [2, 2, 0, 0], [3, 0, 0, 0]], [], 4);
    // anchor = mean(F.normalize(keys)) = ((1 + 0 + r + 1)/4, (0 + 1 + r + 0)/4), r = 1/√2.
    const r = Math.SQRT1_2;
    const [ax, ay] = [(2 + r) / 4, (1 + r) / 4];
    const norm = Math.hypot(ax, ay);
    const expected = [-ax / norm, -ay / norm, -(ax + ay) * r / norm, -ax / norm];
    scores(keydiff, view).forEach((x, i) => expect(x).toBeCloseTo(expected[i]!, 6));
  });
});

describe("tova = kvpress TOVAPress (tova_press.py, score)", () => {
  it("averages the last query's attention over every head of the layer and keeps the last token", () => {
    // Two KV heads, one query head each; the last query (t = 3) is (1, 0, 0, 0), so the logits are
    // the keys' first coordinates: head 0 softmax(ln 2 at key 1) = [1, 2, 1, 1]/5, head 1
    // softmax(ln 3 at key 0) = [3, 1, 1, 1]/6. kvpress: attentions[..., −1:, :−1].mean(1), then
    // the last token padded with max + 1.
    const q = [[[1, 0, 0, 0]]];
    const views = [handView([[0, 0, 0, 0], [Math.LN2, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]], q, 3),
      handView([[Math.log(3), 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]], q, 3)];
    const expected = [(1 / 5 + 3 / 6) / 2, (2 / 5 + 1 / 6) / 2, (1 / 5 + 1 / 6) / 2];
    for (const head of [0, 1]) {
      const s = scores(tova, views[head]!, views, head);
      expected.forEach((x, i) => expect(s[i]).toBeCloseTo(x, 6));
      expect(s[3]).toBeGreaterThanOrEqual(FORCE);
      // compression_ratio 0.5 keeps 2: the last token and token 0.
      expect(kept(s, 2)).toEqual([0, 3]);
    }
  });
});

describe("snapkv = kvpress SnapKVPress (snapkv_press.py, score and compute_window_attention), window 2, kernel 5", () => {
  it("means the window's attention over the prefix, avg-pools it counting the padding, and keeps the window", () => {
    // T = 6, window = the 2 stored queries (t = 4, 5), both (1, 0, 0, 0); key logits [ln 4, 0, ln 2, 0, 0, 0].
    // Query 4 sees keys 0..4: [4, 1, 2, 1, 1]/9; query 5 sees 0..5: [4, 1, 2, 1, 1, 1]/10.
    const view = handView([[Math.log(4), 0, 0, 0], [0, 0, 0, 0], [Math.LN2, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]], [[[1, 0, 0, 0], [1, 0, 0, 0]]], 4);
    const v = [(4 / 9 + 4 / 10) / 2, (1 / 9 + 1 / 10) / 2, (2 / 9 + 2 / 10) / 2, (1 / 9 + 1 / 10) / 2];
    // F.avg_pool1d(kernel_size = 5, padding = 2, stride = 1), count_include_pad: always divided by 5.
    const expected = [(v[0]! + v[1]! + v[2]!) / 5, (v[0]! + v[1]! + v[2]! + v[3]!) / 5, (v[0]! + v[1]! + v[2]! + v[3]!) / 5, (v[1]! + v[2]! + v[3]!) / 5];
    const s = scores(snapkv, view);
    expected.forEach((x, i) => expect(s[i]).toBeCloseTo(x, 6));
    expect(s[4]).toBeGreaterThanOrEqual(FORCE);
    expect(s[5]).toBeGreaterThanOrEqual(FORCE);
    expect(kept(s, 4)).toEqual([1, 2, 4, 5]);
  });
});

describe("random ~ kvpress RandomPress (random_press.py, score: torch.rand)", () => {
  // Not value-identical: kvpress draws from torch's generator, kvsim from xoshiro128** seeded per
  // (trace seed, layer, head). What is shared is the distribution and reproducibility per seed.
  it("draws reproducible uniform [0, 1) scores, independent per head", () => {
    const view = handView(Array.from({ length: 4000 }, () => [1, 0, 0, 0]), [], 4000);
    const a = scores(randomPolicy, view);
    expect(scores(randomPolicy, view)).toEqual(a);
    expect(a.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(a.reduce((x, y) => x + y, 0) / a.length).toBeCloseTo(0.5, 1);
    expect(scores(randomPolicy, view, [view], 1)).not.toEqual(a);
  });
});

describe("expected_attention = kvpress ExpectedAttentionPress (expected_attention_press.py, get_query_statistics and score)", () => {
  // T = 6: 4 sinks, then keys k4 = e0, k5 = e1; values ‖v4‖ = 3, ‖v5‖ = 1; scale 1 (kvpress: 1/√d).
  function view(stats: { mean: number[]; cov: number[] }[], rope?: { theta: number }): HeadView {
    const v = handView([[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [1, 0, 0, 0], [0, 0, 1, 0]], stats.map(() => []), 6);
    v.values.set([3, 0, 0, 0], 4 * D);
    v.values.set([0, 1, 0, 0], 5 * D);
    return { ...v, queryStats: stats.map((x) => ({ mean: Float32Array.from(x.mean), cov: Float32Array.from(x.cov) })), ...(rope ? { rope } : {}) };
  }
  const diag = (xs: number[]) => Array.from({ length: 16 }, (_, i) => (i % 5 === 0 ? xs[i / 5]! : 0));

  it("softmaxes k·μ + kᵀΣk/2 over the non-sink keys, averages the group, scales by ‖v‖ and keeps the sinks", () => {
    // Head 0: μ = (ln 2, 0, 0, 0), Σ = diag(0, 0, 2 ln 3, 0): z = [ln 2, ln 3] → [2/5, 3/5].
    // Head 1: μ = 0, Σ = 0: z = [0, 0] → [1/2, 1/2]. Mean over the group [0.45, 0.55], times ‖v‖ [3, 1].
    const s = scores(expectedAttention, view([{ mean: [Math.LN2, 0, 0, 0], cov: diag([0, 0, 2 * Math.log(3), 0]) }, { mean: [0, 0, 0, 0], cov: diag([0, 0, 0, 0]) }]));
    expect(s[4]).toBeCloseTo(1.35, 6);
    expect(s[5]).toBeCloseTo(0.55, 6);
    for (let i = 0; i < 4; i++) expect(s[i]).toBeGreaterThanOrEqual(FORCE);
  });

  it("turns the query mean by the RoPE rotation averaged over the next 512 positions", () => {
    // Pair (0, 2) turns at θ_0 = 1 rad per position: R̄μ for μ = (a, 0, 0, 0) is (C·a, 0, S·a, 0),
    // C, S the mean cos and sin of p over p ∈ [6, 518). So z = [C·a, S·a].
    let [c, sn] = [0, 0];
    for (let p = 6; p < 518; p++) [c, sn] = [c + Math.cos(p) / 512, sn + Math.sin(p) / 512];
    const a = 3;
    const s = scores(expectedAttention, view([{ mean: [a, 0, 0, 0], cov: diag([0, 0, 0, 0]) }], { theta: 10_000 }));
    const e = [Math.exp(c * a), Math.exp(sn * a)];
    expect(s[4]).toBeCloseTo((3 * e[0]!) / (e[0]! + e[1]!), 6);
    expect(s[5]).toBeCloseTo(e[1]! / (e[0]! + e[1]!), 6);
  });

  it("builds R̄ as kvpress does: mean of cos·I + sin·P, P = [[0, −I], [I, 0]]", () => {
    // d = 2, θ_0 = 1: positions 0 and 1.
    const [c, s] = [(1 + Math.cos(1)) / 2, Math.sin(1) / 2];
    [...meanRotation(2, 0, 2, { theta: 10_000 })].forEach((x, i) => expect(x).toBeCloseTo([c, -s, s, c][i]!, 12));
  });

  it("takes the query statistics as the mean and population covariance (/N) of the queries", () => {
    // Two 2-d queries (1, 0) and (3, 2), scale 1: mean (2, 1); deviations (−1, −1), (1, 1): Σ = [[1, 1], [1, 1]].
    const { mean, cov } = queryStatistics(Float64Array.from([9, 9, 1, 0, 3, 2]), 2, 1, 3, 1);
    expect([...mean]).toEqual([2, 1]);
    expect([...cov]).toEqual([1, 1, 1, 1]);
  });
});
