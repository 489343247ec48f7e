/**
 * kvpress parity: each press kvsim shares with NVIDIA/kvpress, on a small case computed by hand
 * from kvpress's own definition (file and function cited per test, `kvpress/presses/…`).
 */
import { describe, expect, it } from "vitest";
import { contextAccumulations, generateTokenTrace } from "../../src/tokens/generate.js";
import { observedAttention } from "../../src/tokens/policies/observed-attention.js";
import { headView } from "../../src/tokens/trace.js";
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
