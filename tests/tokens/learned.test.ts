import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { evaluateTokenTrace } from "../../src/tokens/evaluate.js";
import { writeTokenTrace } from "../../src/tokens/format.js";
import { generateTokenTrace } from "../../src/tokens/generate.js";
import { trainTokenScorers } from "../../src/tokens/learned/train-all.js";
import { readLearnedWeights, writeLearnedWeights } from "../../src/tokens/learned/weights.js";
import { runCli } from "../helpers/cli.js";

const SMALL = { contextTokens: 512, futureTokens: 64, kvHeads: 3, headDim: 16, obsWindow: 32 };
const SETTINGS = { iterations: 15, pairs: 6, sampleTokens: 256, seed: 3 };

describe("the learned per-head policy (KVP-lite)", () => {
  const dir = mkdtempSync(join(tmpdir(), "kvsim-learned-"));
  const files = [101, 102].map((seed) => {
    const f = join(dir, `train-${seed}.kvtrace`);
    writeTokenTrace(f, generateTokenTrace({ ...SMALL, seed }));
    return f;
  });

  it("improves its training fitness, gives the same weights on 1 or 2 threads, and beats random on held-out seeds", async () => {
    const one = await trainTokenScorers(files, SETTINGS, 1);
    const two = await trainTokenScorers(files, SETTINGS, 2);
    expect(two.heads).toEqual(one.heads);
    const curves = one.training["curves"] as Record<string, number[]>;
    for (const curve of Object.values(curves)) expect(curve.at(-1)!).toBeGreaterThan(curve[0]!);
    const file = join(dir, "w.json");
    writeLearnedWeights(file, one);
    const weights = readLearnedWeights(file);
    expect(weights.heads).toEqual(one.heads);
    expect(() => evaluateTokenTrace(generateTokenTrace({ ...SMALL, headDim: 32, seed: 1 }), { policies: ["learned"], weights, errorQueries: 0 })).toThrow(/head dim 16; this trace has 32/);
    for (const seed of [1, 2]) {
      const results = evaluateTokenTrace(generateTokenTrace({ ...SMALL, seed }), { policies: ["learned", "random"], weights, errorQueries: 0 });
      for (let head = 0; head < 3; head++) {
        const score = (p: string) => results.find((r) => r.policy === p && r.head === head)!.allBudgetScore;
        expect(score("learned"), `seed ${seed} head ${head}`).toBeGreaterThan(score("random"));
      }
    }
  });

  it("trains and evaluates from the CLI; learned without weights is an input error", async () => {
    const out = join(dir, "cli.json");
    const train = await runCli(["tokens", "train", "--traces", files.join(","), "--iterations", "3", "--threads", "1", "--out", out]);
    expect(train.code).toBe(0);
    expect(JSON.parse(readFileSync(out, "utf8")).heads).toHaveLength(3);
    const evaluated = await runCli(["tokens", "evaluate", "-t", files[0]!, "--weights", out, "-p", "oracle,learned", "--json", "--error-queries", "0"]);
    expect(evaluated.code).toBe(0);
    expect(JSON.parse(evaluated.stdout).some((r: { policy: string }) => r.policy === "learned")).toBe(true);
    const missing = await runCli(["tokens", "evaluate", "-t", files[0]!, "-p", "learned"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/needs trained weights/);
    const bad = await runCli(["tokens", "evaluate", "--seeds", "1-x", "-p", "oracle"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--seeds: expected seeds like/);
  });
});
