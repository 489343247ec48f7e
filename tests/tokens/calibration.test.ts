import { beforeAll, describe, expect, it } from "vitest";
import { evaluateTokenTrace, summarizeTokenEval } from "../../src/tokens/evaluate.js";
import { generateTokenTrace } from "../../src/tokens/generate.js";
import { HEAVY, SINK, attentionRow, headView } from "../../src/tokens/trace.js";

/**
 * The generator's calibration targets (docs/tokens.md), at the default parameters, averaged over
 * 8 seeds. A failure here means a miscalibrated generator, not a bad policy.
 */
describe("synthetic trace calibration at the defaults (8 seeds)", () => {
  const shares: Record<string, number[]> = {};
  const needleAttention: number[] = [];
  const ratio10: Record<string, number[]> = {};
  const oracleNeedles5: number[] = [];
  const add = (m: Record<string, number[]>, k: string, v: number) => (m[k] ??= []).push(v);
  beforeAll(() => {
    for (let seed = 1; seed <= 8; seed++) {
      const tr = generateTokenTrace({ seed });
      const t = tr.header.tokens.context;
      for (let h = 0; h < 8; h++) {
        const profile = tr.header.profiles![h]!;
        const u = tr.utilitySum.subarray(h * t, (h + 1) * t);
        const total = u.reduce((s, x) => s + x, 0);
        let sink = 0, last = 0, heavy = 0;
        for (let i = 0; i < t; i++) {
          if (tr.tokenType![i] === SINK) sink += u[i]!;
          if (tr.tokenType![i] === HEAVY) heavy += u[i]!;
          if (i >= t - 256) last += u[i]!;
        }
        add(shares, `${profile}.sink`, sink / total);
        add(shares, `${profile}.last256`, last / total);
        add(shares, `${profile}.heavy`, heavy / total);
        if (profile === "retrieval") {
          const view = headView(tr, 0, h);
          const row = new Float64Array(tr.header.tokens.total);
          for (let e = 0; e < tr.events!.length; e += 4) {
            if (tr.events![e + 1] !== h) continue;
            attentionRow(view, 0, tr.events![e + 2]!, row);
            needleAttention.push(row[tr.needleId!.subarray(0, t).indexOf(tr.events![e + 3]!)]!);
          }
        }
      }
      for (const r of summarizeTokenEval(evaluateTokenTrace(tr, { policies: ["oracle", "streaming_llm"], errorQueries: 0 }))) {
        add(ratio10, `${r.policy}.${r.profile}`, r.budgets[1]!.ratio);
        if (r.policy === "oracle" && r.profile === "retrieval") oracleNeedles5.push(r.budgets[0]!.needleSurvival!);
      }
    }
  }, 180_000);
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

  it("streaming heads: 15–50% of future attention on sinks, ≥ 40% on the last 256 tokens", () => {
    expect(mean(shares["streaming.sink"]!)).toBeGreaterThanOrEqual(0.15);
    expect(mean(shares["streaming.sink"]!)).toBeLessThanOrEqual(0.5);
    expect(mean(shares["streaming.last256"]!)).toBeGreaterThanOrEqual(0.4);
  });

  it("retrieval heads: ≥ 0.5 median attention on the needle at its event, 20–70% on sinks", () => {
    expect(median(needleAttention)).toBeGreaterThanOrEqual(0.5);
    expect(mean(shares["retrieval.sink"]!)).toBeGreaterThanOrEqual(0.2);
    expect(mean(shares["retrieval.sink"]!)).toBeLessThanOrEqual(0.7);
  });

  it("mixed heads: 10–40% on heavy hitters", () => {
    expect(mean(shares["mixed.heavy"]!)).toBeGreaterThanOrEqual(0.1);
    expect(mean(shares["mixed.heavy"]!)).toBeLessThanOrEqual(0.4);
  });

  it("StreamingLLM at 10%: ≥ 0.9 of the oracle on streaming heads, ≤ 0.6 on retrieval heads", () => {
    expect(mean(ratio10["streaming_llm.streaming"]!)).toBeGreaterThanOrEqual(0.9);
    expect(mean(ratio10["streaming_llm.retrieval"]!)).toBeLessThanOrEqual(0.6);
  });

  it("the oracle keeps ≥ 95% of retrieved needles at 5% on retrieval heads", () => {
    expect(mean(oracleNeedles5)).toBeGreaterThanOrEqual(0.95);
  });
});
