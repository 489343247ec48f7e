import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { actionRows } from "../../src/agents/action-rows.js";
import { dqnAgent, qValues, readDqnFile } from "../../src/agents/dqn-agent.js";
import { FleetRouteEnv } from "../../src/envs/fleet/fleet-env.js";
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

describe("DQN with a per-action Q-network", () => {
  it("splits an observation into one row per action: the action's block, then the shared values", () => {
    // Two actions of 2 values each, then 1 shared value; two observations.
    const rows = actionRows([1, 2, 3, 4, 9, 5, 6, 7, 8, 0], 2, 2, { perAction: 2, shared: 1 }, new Float32Array(12));
    expect(Array.from(rows)).toEqual([1, 2, 9, 3, 4, 9, 5, 6, 0, 7, 8, 0]);
  });

  it("scores every action with the same weights, so swapping two instances' features swaps their values", () => {
    const weights = { layers: [{ kernel: [[1, 0], [0, 1], [1, 1]], bias: [0, 0] }, { kernel: [[2], [-1]], bias: [0.5] }] };
    const layout = { perAction: 2, shared: 1 };
    const q = qValues(weights, [1, 0, 0, 3, 1], 2, layout);
    // Action 0: relu([1 + 1, 0 + 1]) = [2, 1] → 2·2 − 1 + 0.5 = 3.5; action 1: relu([0 + 1, 3 + 1]) = [1, 4] → 2 − 4 + 0.5 = −1.5.
    expect(q).toEqual([3.5, -1.5]);
    expect(qValues(weights, [0, 3, 1, 0, 1], 2, layout)).toEqual([-1.5, 3.5]);
  });

  it("trains reproducibly on the fleet env, plays from its file, and is refused on an env without per-action features", async () => {
    const config = { ...tiny, qNetwork: "per-action" as const, steps: 700, warmup: 100 };
    const fleet = () => new FleetRouteEnv("kvsim/Fleet-route-v0", { requests: 40 });
    const a = await trainDqn(fleet(), "kvsim/Fleet-route-v0", config);
    const b = await trainDqn(fleet(), "kvsim/Fleet-route-v0", config);
    expect(a.weights).toEqual(b.weights);
    expect(a.perAction).toEqual({ perAction: 5, shared: 1 });
    // One input row of 5 + 1 values, one output: the same network for each of the 4 instances.
    expect(a.weights.layers.map((l) => [l.kernel.length, l.bias.length])).toEqual([[6, 16], [16, 1]]);
    expect(a.curve.length).toBeGreaterThan(0);
    const obs = fleet().reset({ seed: 5 }).observation;
    expect(dqnAgent(a).act(obs)).toBe(argmax(qValues(a.weights, obs, 4, a.perAction)));
    await expect(trainDqn(env(), "kvsim/Serving-easy-v0", config)).rejects.toThrow(/no observation of one block per action/);
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
