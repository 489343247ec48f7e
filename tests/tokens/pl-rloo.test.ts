import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { evaluateTokenTrace } from "../../src/tokens/evaluate.js";
import { writeTokenTrace } from "../../src/tokens/format.js";
import { generateTokenTrace } from "../../src/tokens/generate.js";
import { evaluateOnline } from "../../src/tokens/online.js";
import { AdamW } from "../../src/tokens/learned/adamw.js";
import { initMlpParams, mlpActivations, mlpBackward, mlpForward, mlpLayout } from "../../src/tokens/learned/mlp.js";
import { addPlackettLuceGrad, plackettLuceLogProb, rlooAdvantages, samplePlackettLuce } from "../../src/tokens/learned/plackett-luce.js";
import { trainTokenScorers } from "../../src/tokens/learned/train-all.js";
import { readLearnedWeights, writeLearnedWeights } from "../../src/tokens/learned/weights.js";
import { TOKEN_POLICIES } from "../../src/tokens/policies/registry.js";
import { Xoshiro128 } from "../../src/tokens/rng.js";
import { runCli } from "../helpers/cli.js";

const TINY = { headDim: 2, projection: 3, positionDim: 2, hidden: 3, layers: 2 };

/** Central finite difference of f at x along coordinate i. */
function finiteDifference(f: (x: Float64Array) => number, x: Float64Array, i: number, h = 1e-6): number {
  const saved = x[i]!;
  x[i] = saved + h;
  const up = f(x);
  x[i] = saved - h;
  const down = f(x);
  x[i] = saved;
  return (up - down) / (2 * h);
}

describe("Plackett–Luce policy gradient pieces", () => {
  it("the log-probability gradient matches finite differences", () => {
    const rng = new Xoshiro128(7);
    const scores = Float64Array.from({ length: 6 }, () => 3 * rng.normal());
    const order = Int32Array.from([3, 0, 5, 1, 4, 2]);
    const grad = new Float64Array(6);
    addPlackettLuceGrad(scores, order, 1, grad, new Float64Array(6));
    for (let i = 0; i < 6; i++) expect(grad[i]).toBeCloseTo(finiteDifference((s) => plackettLuceLogProb(s, order), scores, i), 7);
    // Adding a constant to every score leaves π unchanged, so the gradient sums to 0.
    expect(grad.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 12);
  });

  it("stays finite for scores far apart", () => {
    const scores = Float64Array.from([800, -800, 0, 40]);
    const grad = new Float64Array(4);
    addPlackettLuceGrad(scores, Int32Array.from([1, 2, 3, 0]), 1, grad, new Float64Array(4));
    expect([...grad].every(Number.isFinite)).toBe(true);
    expect(grad[1]).toBeCloseTo(1, 12);
  });

  it("Gumbel-sort draws each ranking with its Plackett–Luce probability", () => {
    const scores = Float64Array.from([0, 1, 2]);
    const positions = [0, 1, 2];
    const rng = new Xoshiro128(11);
    const counts = new Map<string, number>();
    const draws = 30_000;
    const scratch = new Float64Array(3);
    for (let k = 0; k < draws; k++) {
      const key = samplePlackettLuce(scores, positions, rng, scratch).join("");
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    for (const [key, count] of counts) {
      const p = Math.exp(plackettLuceLogProb(scores, Int32Array.from(key, Number)));
      // Four standard errors of a binomial proportion.
      expect(Math.abs(count / draws - p), key).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / draws));
    }
  });

  it("RLOO subtracts the mean reward of the other samples (hand case)", () => {
    // Others' means: (2+3+6)/3, (1+3+6)/3, (1+2+6)/3, (1+2+3)/3.
    const a = rlooAdvantages([1, 2, 3, 6]);
    [1 - 11 / 3, 2 - 10 / 3, 3 - 3, 6 - 2].forEach((want, i) => expect(a[i]).toBeCloseTo(want, 12));
    expect(() => rlooAdvantages([1])).toThrow(/at least two/);
  });

  it("the MLP's hand-written backward pass matches finite differences, through the Plackett–Luce log-probability", () => {
    const layout = mlpLayout(TINY);
    const rng = new Xoshiro128(5);
    const params = initMlpParams(layout, rng);
    // Move LayerNorm gains and biases off 1 and 0, so that their gradients are exercised.
    for (let i = 0; i < params.length; i++) params[i]! += 0.3 * rng.normal();
    const n = 4;
    const features = Float32Array.from({ length: n * layout.width }, () => rng.normal());
    const order = Int32Array.from([2, 0, 3, 1]);
    const logProb = (p: Float64Array) => {
      const s = new Float64Array(n);
      mlpForward(layout, p, features, n, s);
      return plackettLuceLogProb(s, order);
    };
    const act = mlpActivations(layout, n);
    const scores = new Float64Array(n);
    mlpForward(layout, params, features, n, scores, act);
    const dScores = new Float64Array(n);
    addPlackettLuceGrad(scores, order, 1, dScores, new Float64Array(n));
    const grad = new Float64Array(layout.size);
    mlpBackward(layout, params, features, act, dScores, grad);
    for (let i = 0; i < layout.size; i++) {
      const fd = finiteDifference(logProb, params, i);
      expect(Math.abs(grad[i]! - fd), `parameter ${i}`).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
    }
  });

  it("AdamW warms up from 1% of the rate, decays by cosine to the floor, and clips the gradient norm", () => {
    const opt = new AdamW(2, { learningRate: 1, minLearningRate: 0.1, warmupSteps: 10, totalSteps: 110, weightDecay: 0, clipNorm: 5 });
    expect(opt.rate(0)).toBeCloseTo(0.01, 12);
    expect(opt.rate(10)).toBeCloseTo(1, 12);
    expect(opt.rate(60)).toBeCloseTo(0.55, 12);
    expect(opt.rate(110)).toBeCloseTo(0.1, 12);
    const params = Float64Array.from([0, 0]);
    expect(opt.step(params, Float64Array.from([30, 40]))).toBe(50);
    // Adam's first step moves each parameter by the rate against its gradient's sign.
    expect(params[0]).toBeCloseTo(-0.01, 6);
    expect(params[1]).toBeCloseTo(-0.01, 6);
  });
});

describe("KV Policy's method (pl-rloo) end to end", () => {
  const SMALL = { contextTokens: 512, futureTokens: 64, kvHeads: 3, headDim: 16, obsWindow: 32 };
  const SETTINGS = { method: "pl-rloo" as const, steps: 10, samples: 8, batch: 2, sampleTokens: 256, hidden: 16, projection: 8, positionDim: 8, learningRate: 1e-2, warmupSteps: 4, seed: 3 };
  const dir = mkdtempSync(join(tmpdir(), "kvsim-pl-rloo-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const files = [101, 102].map((seed) => {
    const f = join(dir, `train-${seed}.kvtrace`);
    writeTokenTrace(f, generateTokenTrace({ ...SMALL, seed }));
    return f;
  });
  const meanScore = (weights: Parameters<typeof evaluateTokenTrace>[1]["weights"], seeds: number[]) => {
    const rows = seeds.flatMap((seed) => evaluateTokenTrace(generateTokenTrace({ ...SMALL, seed }), { policies: ["learned"], weights, errorQueries: 0 }));
    return rows.reduce((s, r) => s + r.allBudgetScore, 0) / rows.length;
  };

  it("is deterministic (same seed, same weights; 1 or 2 threads), improves on its initialisation, and its saved weights load and evaluate", async () => {
    const one = await trainTokenScorers(files, SETTINGS, 1);
    const again = await trainTokenScorers(files, SETTINGS, 1);
    const two = await trainTokenScorers(files, SETTINGS, 2);
    expect(again.heads).toEqual(one.heads);
    expect(two.heads).toEqual(one.heads);
    expect(one.heads[0]!.scorer).toMatchObject({ kind: "mlp", headDim: 16, hidden: 16, layers: 2 });
    const other = await trainTokenScorers(files, { ...SETTINGS, seed: 4 }, 1);
    expect(other.heads).not.toEqual(one.heads);
    const untrained = await trainTokenScorers(files, { ...SETTINGS, steps: 0 }, 1);
    const longer = await trainTokenScorers(files, { ...SETTINGS, steps: 100 }, 2);
    // On the training traces and on held-out seeds, 100 steps rank much better than the initial scorers (about twice the reward, measured).
    expect(meanScore(longer, [101, 102])).toBeGreaterThan(1.5 * meanScore(untrained, [101, 102]));
    expect(meanScore(longer, [1, 2])).toBeGreaterThan(1.3 * meanScore(untrained, [1, 2]));
    const trainedScore = meanScore(one, [101, 102]);
    const file = join(dir, "pl.json");
    writeLearnedWeights(file, one);
    const loaded = readLearnedWeights(file);
    expect(loaded.heads).toEqual(one.heads);
    expect(meanScore(loaded, [101, 102])).toBe(trainedScore);
    // The decode mode scores generated tokens with the same MLP.
    for (const r of evaluateOnline(generateTokenTrace({ ...SMALL, seed: 1 }), { policies: ["learned"], budget: 0.1, weights: loaded })) {
      expect(r.retained).toBeGreaterThan(0);
      expect(r.retained).toBeLessThanOrEqual(1 + 1e-9);
    }
    const json = JSON.parse(readFileSync(file, "utf8"));
    json.heads[1].scorer.params.pop();
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify(json));
    expect(() => readLearnedWeights(bad)).toThrow(/bad\.json: heads\[1\]\.scorer\.params has \d+ values; its shape needs \d+/);
  });

  it("trains from the CLI with --method pl-rloo; a wrong method or a flag of the other method is an input error", async () => {
    const out = join(dir, "cli.json");
    const train = await runCli(["tokens", "train", "--method", "pl-rloo", "--traces", files.join(","), "--steps", "2", "--samples", "4", "--sample-tokens", "128", "--threads", "1", "--out", out, "--json"]);
    expect(train.code, train.stderr).toBe(0);
    expect(JSON.parse(train.stdout)).toMatchObject({ file: out, heads: 3, method: "pl-rloo", steps: 2, samples: 4, hidden: 64, seed: 1, trainSeeds: null });
    const weights = JSON.parse(readFileSync(out, "utf8"));
    expect(weights.heads).toHaveLength(3);
    expect(weights.training.settings).toMatchObject({ method: "pl-rloo", steps: 2, samples: 4, sampleTokens: 128 });
    const evaluated = await runCli(["tokens", "evaluate", "-t", files[0]!, "--weights", out, "-p", "oracle,learned", "--json", "--error-queries", "0"]);
    expect(evaluated.code).toBe(0);
    const wrong = await runCli(["tokens", "train", "--method", "ppo", "--traces", files[0]!, "--out", join(dir, "x.json")]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/--method: expected one of es, pl-rloo, got "ppo"/);
    const mixed = await runCli(["tokens", "train", "--method", "es", "--steps", "3", "--traces", files[0]!, "--out", join(dir, "y.json")]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/--steps applies to --method pl-rloo/);
  });

  it("compare-learned trains both methods and reports them with the oracle and every registered policy on disjoint seeds", async () => {
    const small = ["--param", "contextTokens=384", "--param", "futureTokens=32", "--param", "kvHeads=2", "--param", "headDim=8", "--param", "obsWindow=16"];
    const out = join(dir, "compare");
    const run = await runCli(["tokens", "compare-learned", "--train-seeds", "101", "--eval-seeds", "1-2", "--es-iterations", "2", "--pl-steps", "2", "--threads", "1", "--out", out, "--json", ...small]);
    expect(run.code, run.stderr).toBe(0);
    const record = JSON.parse(run.stdout);
    expect(record).toMatchObject({ simulated: true, trainSeeds: [101], evalSeeds: [1, 2] });
    expect(record.training.map((t: { label: string }) => t.label)).toEqual(["kvp-lite (es)", "kvp (pl-rloo)"]);
    for (const t of record.training) expect(t.rankings).toBeGreaterThan(0);
    expect(record.paired).toMatchObject({ a: "kvp-lite (es)", b: "kvp (pl-rloo)", heads: 4 });
    const policies = [...new Set(record.summary.map((r: { policy: string }) => r.policy))];
    expect(policies).toEqual(["oracle", "kvp-lite (es)", "kvp (pl-rloo)", ...TOKEN_POLICIES.map((p) => p.name)]);
    expect(readLearnedWeights(join(out, "pl-rloo.json")).heads[0]!.scorer).toMatchObject({ kind: "mlp" });
    expect(JSON.parse(readFileSync(join(out, "comparison.json"), "utf8"))).toEqual(record);
    const overlap = await runCli(["tokens", "compare-learned", "--train-seeds", "1-3", "--eval-seeds", "3-4", ...small]);
    expect(overlap.code).toBe(2);
    expect(overlap.stderr).toMatch(/training and evaluation seeds must be disjoint; both have 3/);
  });
});
