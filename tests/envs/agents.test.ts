import { describe, expect, it } from "vitest";
import { runEpisode } from "../../src/agents/agent.js";
import { NpaLruAgent } from "../../src/agents/npa-lru.js";
import { AGENTS, makeAgent } from "../../src/agents/registry.js";
import { makeDiscrete } from "../../src/envs/registry.js";
import { NpaServingEnv } from "../../src/envs/serving/npa/npa-env.js";
import { ROUTER_NAMES } from "../../src/timed/routers/registry.js";
import { runCli } from "../helpers/cli.js";

describe("agents", () => {
  // Trained agents need weights: tests/envs/dqn.test.ts plays them.
  it.each(AGENTS.filter((a) => !a.needsWeights).map((a) => a.name))("%s plays a whole episode, deterministically per seed", (name) => {
    // The vLLM-like scheduler plays the serving envs, the routers the fleet envs, the rest any.
    const id = name === "vllm" ? "kvsim/Serving-easy-v0" : ROUTER_NAMES.includes(name) ? "kvsim/Fleet-route-v0" : "kvsim/Serving-npa-medium-v0";
    const play = () => {
      const env = makeDiscrete(id);
      return runEpisode(env, makeAgent(name, env), 5);
    };
    const a = play();
    expect(a.steps).toBeGreaterThan(0);
    expect(play()).toEqual(a);
  });

  it("refuses the vLLM-like scheduler on an environment without one", () => {
    expect(() => makeAgent("vllm", makeDiscrete("kvsim/Serving-npa-easy-v0"))).toThrow(/runs on the kvsim\/Serving-\* environments/);
  });

  it("gives the idle agent NeuralPagedAttention's measured do-nothing scores (0.0010 / 0.1008 / 0.1258)", () => {
    const scores = (["easy", "medium", "hard"] as const).map((task) => {
      const env = new NpaServingEnv({ task });
      runEpisode(env, makeAgent("idle", env), 2026);
      return Number(env.score().toFixed(4));
    });
    expect(scores).toEqual([0.001, 0.1008, 0.1258]);
  });

  it("reads idle ages from obs 15/18, or from 14/17 with the original's index bug", () => {
    const obs = new Array(21).fill(0);
    obs[0] = 0.96; // GPU nearly full, nothing to preempt: swap an idle cache if one is seen
    obs[15] = 0.5; // an idle free cache exists (free_age_max)
    expect(new NpaLruAgent(false).act(obs)).toBe(6);
    expect(new NpaLruAgent(true).act(obs)).toBe(16);
  });

  it("summarises several episodes on the CLI", async () => {
    const r = await runCli(["episode", "--env", "kvsim/Serving-npa-easy-v0", "--agent", "idle", "--episodes", "3", "--json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.episodes.map((e: { seed: number }) => e.seed)).toEqual([2026, 2027, 2028]);
    expect(out.summary.score).toMatchObject({ n: 3, mean: 0.001 });
    expect((await runCli(["episode", "--env", "kvsim/Serving-npa-easy-v0", "--agent", "nope"])).code).toBe(2);
  });
});
