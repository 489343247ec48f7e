import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NPA_TASKS } from "../../src/envs/serving/npa/constants.js";
import { NpaServingEnv } from "../../src/envs/serving/npa/npa-env.js";
import { pairwiseSum } from "../../src/envs/serving/npa/numpy-sum.js";
import { readNpaRecording, replayNpa } from "../../src/envs/serving/npa/replay.js";
import { arrivalRate, NpaTraffic, roundHalfEven } from "../../src/envs/serving/npa/traffic.js";
import { ENVS, makeDiscrete } from "../../src/envs/registry.js";
import { runCli } from "../helpers/cli.js";
import { fixture, readFixtureJson } from "../helpers/khl.js";

const recording = (task: string) => fixture(`neural-paged-attention/scripted_${task}.jsonl`);

describe("NeuralPagedAttention parity (npa preset)", () => {
  it.each(["easy", "medium"] as const)("replays scripted_%s.jsonl: every step's reward, obs, done, result and counters, and the final score", (task) => {
    const rec = readNpaRecording(recording(task));
    const out = replayNpa(rec, task);
    expect(out.reset).toEqual(rec.reset.obs);
    expect(out.steps).toHaveLength(rec.steps.length);
    out.steps.forEach((got, i) => {
      const want = rec.steps[i]!;
      const label = `step ${want.t}`;
      expect(Math.abs(got.reward - want.reward), `${label} reward ${got.reward} vs ${want.reward}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want.reward)));
      got.obs.forEach((v, k) => expect(Math.abs(v - want.obs[k]!), `${label} obs[${k}]`).toBeLessThanOrEqual(1e-9));
      expect([got.done, got.result, got.ctr], label).toEqual([want.done, want.result, want.ctr]);
    });
    expect(Math.abs(out.score - rec.final!.score)).toBeLessThanOrEqual(1e-9);
    expect(Math.abs(out.cumulativeReward - rec.final!.cumulative_reward)).toBeLessThanOrEqual(1e-9 * Math.abs(rec.final!.cumulative_reward));
  });

  it("prints one JSON line per step and a final line on the CLI", async () => {
    const r = await runCli(["serving", "replay", recording("medium"), "--preset", "npa", "--json"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines).toHaveLength(99);
    expect(Object.keys(lines[0])).toEqual(["t", "reward", "done", "obs", "ctr"]);
    expect(lines[98].score).toBe(0.21889105590514324);
    expect((await runCli(["serving", "replay", "nowhere.jsonl", "--task", "easy"])).code).toBe(2);
  });
});

describe("NeuralPagedAttention traffic generator", () => {
  it.each(NPA_TASKS)("reproduces the arrivals per spawn of a do-nothing %s episode (seed 2026)", (task) => {
    const want = readFixtureJson<{ arrivals_per_spawn: number[] }>(`neural-paged-attention/donothing_arrivals_${task}.json`).arrivals_per_spawn;
    const env = new NpaServingEnv({ task });
    const counts: number[] = [];
    let arrived = 0;
    const track = (c: number[]) => {
      counts.push(c[0]! - arrived);
      arrived = c[0]!;
    };
    track(env.reset().info.counters);
    for (let i = 0; i < 300; i++) track(env.step(17).info.counters);
    expect(counts).toEqual(want);
  });

  it("rounds half to even and keeps the wave's rounding at t = 1500 and 4500", () => {
    expect([0.5, 1.5, 2.5, -0.5, 33 * 0.5].map(roundHalfEven)).toEqual([0, 2, 2, -0, 16]);
    expect(arrivalRate("medium", 1500)).toBe(9);
    expect(arrivalRate("medium", 4500)).toBe(25);
    expect(arrivalRate("hard", 1500)).toBe(11);
    expect(arrivalRate("hard", 4500)).toBe(27);
  });

  it("draws the same stream for the same seed", () => {
    const a = new NpaTraffic("hard", 7);
    const b = new NpaTraffic("hard", 7);
    for (let t = 0; t < 50; t++) expect(a.spawn(t, ["x", "y"])).toEqual(b.spawn(t, ["x", "y"]));
  });

  it("names fresh requests by an odd-multiplier permutation of a counter, as 8 hex digits", () => {
    const traffic = new NpaTraffic("hard", 7);
    const ids = Array.from({ length: 300 }, (_, t) => traffic.spawn(t, [])).flat().map((a) => a.id);
    expect(ids.length).toBeGreaterThan(100);
    ids.forEach((id, i) => expect(id).toBe((Math.imul(i + 1, 0x9e3779b1) >>> 0).toString(16).padStart(8, "0")));
  });
});

describe("Gymnasium contract", () => {
  it("registers versioned ids and returns {observation, reward, terminated, truncated, info}", () => {
    expect(ENVS.filter((e) => e.kind === "discrete").map((e) => e.id)).toEqual(["kvsim/Serving-easy-v0", "kvsim/Serving-medium-v0", "kvsim/Serving-hard-v0",
      "kvsim/Serving-npa-easy-v0", "kvsim/Serving-npa-medium-v0", "kvsim/Serving-npa-hard-v0", "kvsim/Fleet-route-v0", "kvsim/Fleet-route-host-v0"]);
    const env = makeDiscrete("kvsim/Serving-npa-medium-v0");
    expect(env.actionSpace).toMatchObject({ type: "Discrete", n: 19 });
    expect(env.observationSpace).toMatchObject({ type: "Box", shape: [21] });
    const { observation } = env.reset({ seed: 2026 });
    expect(observation).toHaveLength(21);
    const r = env.step(17);
    expect(Object.keys(r)).toEqual(["observation", "reward", "terminated", "truncated", "info"]);
    expect(() => env.step(19)).toThrow(/outside Discrete\(19\)/);
    expect(() => env.step(1.5)).toThrow(/outside/);
    expect(() => makeDiscrete("kvsim/Nope-v0")).toThrow(/unknown environment/);
  });

  it("truncates (not terminates) at the tick budget, then refuses to step", () => {
    const env = new NpaServingEnv({ task: "easy" });
    env.reset();
    let last;
    let steps = 0;
    do {
      last = env.step(17);
      steps++;
    } while (!last.terminated && !last.truncated);
    expect([steps, last.terminated, last.truncated]).toEqual([2001, false, true]);
    expect(() => env.step(17)).toThrow(/after the episode ended/);
  });

  it("repeats an episode exactly from the same seed", () => {
    const run = () => {
      const env = makeDiscrete("kvsim/Serving-npa-hard-v0");
      env.reset({ seed: 11 });
      const rewards: number[] = [];
      for (let i = 0; i < 300; i++) {
        const r = env.step((i * 7) % 19);
        rewards.push(r.reward);
        if (r.terminated || r.truncated) break;
      }
      return rewards;
    };
    expect(run()).toEqual(run());
  });
});

describe("numpy pairwise summation", () => {
  it("differs from a naive left-to-right sum exactly where numpy does", () => {
    const a = Array.from({ length: 300 }, (_, i) => 0.1 * ((i * 7919) % 101));
    const naive = a.reduce((x, y) => x + y, 0);
    const r = [0, 1, 2, 3, 4, 5, 6, 7].map((j) => a[j]!);
    expect(pairwiseSum(a.slice(0, 7))).toBe(a.slice(0, 7).reduce((x, y) => x + y, 0));
    for (let i = 8; i + 8 <= 16; i += 8) for (let j = 0; j < 8; j++) r[j]! += a[i + j]!;
    expect(pairwiseSum(a.slice(0, 16))).toBe(((r[0]! + r[1]!) + (r[2]! + r[3]!)) + ((r[4]! + r[5]!) + (r[6]! + r[7]!)));
    expect(Math.abs(pairwiseSum(a) - naive)).toBeLessThan(1e-9);
  });

  it("sums squared deviations from a centre exactly as over numpy's temporary array of squares", () => {
    const a = Array.from({ length: 300 }, (_, i) => 0.1 * ((i * 7919) % 101) - 3);
    for (const n of [0, 1, 7, 8, 9, 16, 23, 128, 129, 300]) {
      const values = a.slice(0, n);
      const centre = n ? values.reduce((x, y) => x + y, 0) / n : 0;
      const squares = values.map((x) => (x - centre) * (x - centre));
      expect(pairwiseSum(values, 0, n, centre), `n = ${n}`).toBe(pairwiseSum(squares));
    }
  });

  // Found by tests/traces/fuzz.test.ts: a line that is JSON but not an object was a TypeError.
  it.each([["null", /rec\.jsonl:2: expected a JSON object/], ['{"t": 1, "action": 0, "arrivals": 5}', /rec\.jsonl:2: arrivals must be an array, got 5/]])(
    "a recording line %s is an input error naming the file and line", (line, message) => {
      const dir = mkdtempSync(join(tmpdir(), "kvsim-npa-"));
      try {
        const file = join(dir, "rec.jsonl");
        writeFileSync(file, `{"t": "reset", "obs": [], "arrivals": []}\n${line}\n`);
        expect(() => readNpaRecording(file)).toThrow(message);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
});
