import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dqnAgent, readDqnFile } from "../../src/agents/dqn-agent.js";
import { DQN_DEFAULTS, trainDqn } from "../../src/agents/dqn-train.js";
import { argmax, mlpForward } from "../../src/agents/mlp.js";
import { ServingEnv } from "../../src/envs/serving/serving-env.js";
import { runCli } from "../helpers/cli.js";

const tiny = { ...DQN_DEFAULTS, hidden: [16], steps: 1_500, warmup: 200, seed: 3 };
const env = () => new ServingEnv({ task: "easy", gpuBlocks: 1024, cpuBlocks: 1024, batchLimit: 32 });

describe("DQN", () => {
  it("trains reproducibly from a seed and records one curve point per episode", async () => {
    const a = await trainDqn(env(), "kvsim/Serving-easy-v0", tiny);
    const b = await trainDqn(env(), "kvsim/Serving-easy-v0", tiny);
    expect(a.weights).toEqual(b.weights);
    expect(a.weights.layers.map((l) => [l.kernel.length, l.bias.length])).toEqual([[16, 16], [16, 9]]);
    expect(a.curve).toEqual(b.curve);
    expect(a.curve.length).toBe(0); // 1,500 steps < one 2,000-step episode
  });

  it("computes the same Q-values as a hand-written forward pass", () => {
    const weights = { layers: [{ kernel: [[1, -1], [2, 0.5]], bias: [0, 1] }, { kernel: [[1, 0, 2], [-1, 1, 0]], bias: [0.5, 0, 0] }] };
    // hidden = relu([1·1 + 2·2, 1·-1 + 2·0.5 + 1]) = [5, 1]; out = [5 - 1 + 0.5, 1, 10]
    expect(mlpForward(weights, [1, 2])).toEqual([4.5, 1, 10]);
    expect(argmax([4.5, 1, 10])).toBe(2);
  });

  it("trains and plays from the CLI, refusing weights trained on another env", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kvsim-dqn-"));
    const out = join(dir, "w.json");
    const r = await runCli(["train", "--agent", "dqn", "--env", "kvsim/Serving-easy-v0", "--steps", "2100", "--hidden", "8", "--out", out, "--curve", join(dir, "c.svg")]);
    expect(r.code, r.stderr).toBe(0);
    const file = readDqnFile(out);
    expect(file).toMatchObject({ kind: "kvsim-dqn", env: "kvsim/Serving-easy-v0", observation: 16, actions: 9, hidden: [8] });
    expect(file.curve).toHaveLength(1);
    expect(readFileSync(join(dir, "c.svg"), "utf8")).toMatch(/^<svg/);
    expect(dqnAgent(file).act(new Array(16).fill(0))).toBeGreaterThanOrEqual(0);
    const play = await runCli(["episode", "--env", "kvsim/Serving-easy-v0", "--agent", "dqn", "--weights", out, "--json"]);
    expect(play.code).toBe(0);
    expect(JSON.parse(play.stdout).steps).toBe(2000);
    const wrong = await runCli(["episode", "--env", "kvsim/Serving-medium-v0", "--agent", "dqn", "--weights", out]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/trained on kvsim\/Serving-easy-v0/);
    expect((await runCli(["episode", "--env", "kvsim/Serving-easy-v0", "--agent", "dqn"])).stderr).toMatch(/needs weights: .*--weights FILE/);
    const mismatched = await runCli(["episode", "--env", "kvsim/Serving-easy-v0", "--agent", "qlearning", "--weights", out]);
    expect(mismatched.code).toBe(2);
    expect(mismatched.stderr).toMatch(/not a kvsim-qtable file/);
  });
});

describe("tabular Q-learning", () => {
  it("learns the easy task reproducibly and plays it from its saved table", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kvsim-q-"));
    const out = join(dir, "q.json");
    const train = () => runCli(["train", "--agent", "qlearning", "--env", "kvsim/Serving-easy-v0", "--steps", "100000", "--seed", "1", "--out", out]);
    expect((await train()).code).toBe(0);
    const first = readFileSync(out, "utf8");
    expect((await train()).code).toBe(0);
    expect(readFileSync(out, "utf8")).toBe(first);
    const play = await runCli(["episode", "--env", "kvsim/Serving-easy-v0", "--agent", "qlearning", "--weights", out, "--episodes", "2", "--json"]);
    expect(play.code).toBe(0);
    const idle = await runCli(["episode", "--env", "kvsim/Serving-easy-v0", "--agent", "idle", "--episodes", "2", "--json"]);
    expect(JSON.parse(play.stdout).summary.score.mean).toBeGreaterThan(JSON.parse(idle.stdout).summary.score.mean + 0.5);
  });
});
