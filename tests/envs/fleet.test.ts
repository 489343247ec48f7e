import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runEpisode, type Agent } from "../../src/agents/agent.js";
import { readDqnFile } from "../../src/agents/dqn-agent.js";
import { makeAgent } from "../../src/agents/registry.js";
import { FleetRouteEnv } from "../../src/envs/fleet/fleet-env.js";
import { FLEET_SLO } from "../../src/envs/fleet/setup.js";
import { make, makeDiscrete } from "../../src/envs/registry.js";
import { KvsimInputError } from "../../src/errors.js";
import { simulateFleet } from "../../src/timed/fleet.js";
import { ROUTER_NAMES } from "../../src/timed/routers/registry.js";
import { simulateServing } from "../../src/timed/simulate.js";
import { runCli } from "../helpers/cli.js";

const ID = "kvsim/Fleet-route-v0";
const fleetEnv = (id = ID, options = {}) => make(id, options) as FleetRouteEnv;

/** Plays one episode, recording every step's action, reward, observation and info. */
function play(env: FleetRouteEnv, agent: Agent, seed: number) {
  const steps: { action: number; reward: number; observation: number[]; terminated: boolean; truncated: boolean; metSlo: number; completed: number }[] = [];
  const first = env.reset({ seed }).observation;
  agent.reset(seed);
  let observation = first;
  for (;;) {
    const action = agent.act(observation);
    const r = env.step(action);
    steps.push({ action, reward: r.reward, observation: r.observation, terminated: r.terminated, truncated: r.truncated, metSlo: r.info.metSlo, completed: r.info.completed });
    observation = r.observation;
    if (r.terminated || r.truncated) return { first, steps, return: steps.reduce((s, x) => s + x.reward, 0) };
  }
}

describe("kvsim/Fleet-route-v0: routing a fleet of timed vLLM instances (docs/envs.md)", () => {
  it("has Discrete(instances) actions and a [0, 1] Box of five features per instance and the prompt", () => {
    const env = fleetEnv();
    expect(env.actionSpace).toEqual({ type: "Discrete", n: 4, labels: ["route_to_0", "route_to_1", "route_to_2", "route_to_3"] });
    expect(env.observationSpace.shape).toEqual([21]);
    expect(env.observationSpace.labels!.slice(0, 5)).toEqual(["outstanding_0", "queued_prompt_0", "kv_used_0", "prefix_gpu_0", "prefix_host_0"]);
    expect(env.observationSpace.labels!.at(-1)).toBe("prompt");
    const six = fleetEnv(ID, { instances: 6, requests: 10 });
    expect(six.actionSpace.n).toBe(6);
    expect(six.observationSpace.shape).toEqual([31]);
  });

  it("routes every request once, then drains: the return counts the requests that met both SLOs", () => {
    const env = fleetEnv();
    const episode = play(env, makeAgent("random", env), 2026);
    const last = episode.steps.at(-1)!;
    expect(episode.steps).toHaveLength(256);
    expect(episode.steps.slice(0, -1).every((s) => !s.terminated && !s.truncated)).toBe(true);
    expect(last).toMatchObject({ terminated: true, truncated: false, completed: 256 });
    // Rewards come as requests complete, not only at the end; they add up to the SLO count, and the score is its share.
    expect(episode.steps.slice(0, -1).reduce((s, x) => s + x.reward, 0)).toBeGreaterThan(0);
    expect(episode.return).toBe(last.metSlo);
    expect(env.score()).toBe(last.metSlo / 256);
    for (const o of [episode.first, ...episode.steps.map((s) => s.observation)]) {
      expect(o).toHaveLength(21);
      expect(o.every((v) => v >= 0 && v <= 1)).toBe(true);
    }
    expect(() => env.step(0)).toThrow(/after the episode ended/);
  });

  it("replays an episode exactly from its seed; other seeds draw other workloads", () => {
    const env = fleetEnv();
    const a = play(env, makeAgent("random", env), 7);
    const b = play(fleetEnv(), makeAgent("random", env), 7);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    const arrivals = (seed: number) => (env.reset({ seed }), env.episodeRequests().map((r) => r.arrival));
    expect(arrivals(8)).not.toEqual(arrivals(7));
  });

  it.each(ROUTER_NAMES)("the %s baseline scores exactly what simulateFleet's same router serves within the SLOs", (router) => {
    const env = fleetEnv();
    const episode = play(env, makeAgent(router, env), 2027);
    const sim = simulateFleet({ ...env.plan, requests: env.episodeRequests(), instances: env.instances, router });
    expect(episode.steps.map((s) => s.action)).toEqual(sim.requests.map((r) => r.instance));
    expect(episode.return).toBe(Math.round(sim.fleet.goodput!.attainment * 256));
    expect(sim.fleet.goodput!.slo).toEqual(FLEET_SLO);
  });

  it("sending every request to one instance scores what that instance alone serves (simulateServing), far below any router", () => {
    const env = fleetEnv();
    const idle = play(env, makeAgent("idle", env), 2028);
    expect(idle.steps.every((s) => s.action === 0)).toBe(true);
    const alone = simulateServing({ ...env.plan, requests: env.episodeRequests() });
    expect(idle.return).toBe(Math.round(alone.summary.goodput!.attainment * 256));
    expect(idle.return).toBeLessThan(0.5 * play(env, makeAgent("round-robin", env), 2028).return);
  });

  it("on the shared-prefix chats, kv-aware routing meets the SLOs more often than random routing", () => {
    const env = fleetEnv();
    const seeds = [2029, 2030, 2031];
    const total = (agent: string) => seeds.reduce((s, seed) => s + play(env, makeAgent(agent, env), seed).return, 0);
    expect(total("kv-aware")).toBeGreaterThan(total("random"));
  });

  it("a store shared below the host tiers lets round-robin find histories it routed elsewhere: it meets more SLOs on the same seeds", () => {
    const seeds = [2029, 2030, 2031];
    const total = (options: object) => {
      const env = fleetEnv(ID, options);
      return seeds.reduce((s, seed) => s + play(env, makeAgent("round-robin", env), seed).return, 0);
    };
    expect(total({ hostBlocks: 600, sharedBlocks: 20_000 })).toBeGreaterThan(total({ hostBlocks: 600 }));
  });

  it("reads the arriving request's cached prefix: on the GPU always (the shared system prompt), in the host tier only where there is one", () => {
    const prefixes = (id: string, feature: number) => {
      const env = fleetEnv(id, { requests: 150 });
      const episode = play(env, makeAgent("round-robin", env), 2032);
      return episode.steps.slice(0, -1).flatMap((s) => [0, 1, 2, 3].map((i) => s.observation[i * 5 + feature]!));
    };
    // A follow-up turn finds more than the system prompt's 25 blocks (of the cache's 600) where its conversation went.
    expect(Math.max(...prefixes(ID, 3))).toBeGreaterThan(25 / 600);
    expect(Math.max(...prefixes(ID, 4))).toBe(0);
    expect(Math.max(...prefixes("kvsim/Fleet-route-host-v0", 4))).toBeGreaterThan(0);
  });

  it("refuses bad options, seeds and actions with an input error naming them", () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ instances: 1 }, /option instances must be an integer from 2 to 16, got 1/],
      [{ instances: 2.5 }, /option instances must be an integer/],
      [{ requests: 0 }, /option requests must be an integer from 1 to 100,000, got 0/],
      [{ hostBlocks: -1 }, /option hostBlocks must be an integer from 0/],
      [{ hostBlocks: "many" }, /option hostBlocks must be an integer .*got "many"/],
      [{ sharedBlocks: -2 }, /option sharedBlocks must be an integer from 0/],
      [{ sharedBlocks: 1000 }, /option sharedBlocks puts a store below the instances' host tiers: give hostBlocks too/],
      [{ router: "kv-aware" }, /has no option "router"/],
    ];
    for (const [options, message] of bad) {
      expect(() => make(ID, options), JSON.stringify(options)).toThrow(KvsimInputError);
      expect(() => make(ID, options)).toThrow(message);
    }
    const env = fleetEnv();
    expect(() => env.step(0)).toThrow(/step\(\) after the episode ended; call reset\(\)/);
    expect(() => env.reset({ seed: -1 })).toThrow(/seed must be an integer from 0/);
    env.reset({ seed: 1 });
    expect(() => env.step(4)).toThrow(/action 4 is outside Discrete\(4\)/);
    expect(() => makeAgent("kv-aware", makeDiscrete("kvsim/Serving-easy-v0"))).toThrow(/routes requests in the kvsim\/Fleet-\* environments/);
  });

  it("trains a DQN and plays the baselines from the CLI; refuses tabular Q-learning, whose states are the serving envs'", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kvsim-fleet-"));
    const out = join(dir, "w.json");
    const train = await runCli(["train", "--agent", "dqn", "--env", ID, "--steps", "600", "--hidden", "8", "--out", out]);
    expect(train.code, train.stderr).toBe(0);
    expect(readDqnFile(out)).toMatchObject({ env: ID, observation: 21, actions: 4, hidden: [8] });
    expect(readDqnFile(out).curve).toHaveLength(2);
    const played = await runCli(["episode", "--env", ID, "--agent", "dqn", "--weights", out, "--json"]);
    expect(played.code, played.stderr).toBe(0);
    expect(JSON.parse(played.stdout)).toMatchObject({ env: ID, steps: 256, terminated: true });
    const baseline = await runCli(["episode", "--env", ID, "--agent", "kv-aware", "--episodes", "2", "--json"]);
    expect(JSON.parse(baseline.stdout).summary.score.mean).toBeGreaterThan(0);
    const q = await runCli(["train", "--agent", "qlearning", "--env", ID, "--steps", "10", "--out", join(dir, "q.json")]);
    expect(q.code).toBe(2);
    expect(q.stderr).toMatch(/--agent qlearning reads the kvsim\/Serving-\* observations; train kvsim\/Fleet-route-v0 with --agent dqn/);
  });
});
