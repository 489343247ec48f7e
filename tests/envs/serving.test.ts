import { describe, expect, it } from "vitest";
import { runEpisode } from "../../src/agents/agent.js";
import { makeAgent } from "../../src/agents/registry.js";
import { makeDiscrete } from "../../src/envs/registry.js";
import { SERVING_CACHE_POLICIES, ServingEnv } from "../../src/envs/serving/serving-env.js";
import { readMooncakeTrace } from "../../src/traces/formats/mooncake.js";
import { fixture } from "../helpers/khl.js";

/** A smaller pool and a shorter budget keep the tests quick; the mechanics are the same. */
const small = (task: "easy" | "medium" | "hard") => new ServingEnv({ task, gpuBlocks: 2048, cpuBlocks: 4096, batchLimit: 64 });

describe("kvsim serving environment (default preset)", () => {
  it("keeps every request in exactly one place and the pool consistent after every step, under random actions", () => {
    for (const task of ["easy", "medium", "hard"] as const) {
      const env = small(task);
      const agent = makeAgent("random", env);
      let { observation } = env.reset({ seed: 3 });
      agent.reset(3);
      for (let i = 0; i < 600; i++) {
        const r = env.step(agent.act(observation));
        env.check();
        observation = r.observation;
        expect(observation.every((v, k) => v >= env.observationSpace.low[k]! && v <= env.observationSpace.high[k]!), `obs in bounds at ${i}`).toBe(true);
      }
    }
  });

  it("takes the pool's cache policy as an option: lru by default, others change which prefixes stay, belady refused", () => {
    const play = (cachePolicy?: string, env = new ServingEnv({ task: "medium", gpuBlocks: 1024, cpuBlocks: 1024, batchLimit: 64, cachePolicy })) => {
      runEpisode(env, makeAgent("vllm", env), 5, { beforeStep: () => env.check() });
      return env.counters();
    };
    const lru = play("lru");
    expect(play()).toEqual(lru);
    expect(SERVING_CACHE_POLICIES).toEqual(["lru", "fifo", "random", "sieve", "s3fifo", "lfu", "clock"]);
    const others = SERVING_CACHE_POLICIES.filter((p) => p !== "lru").map((p) => play(p));
    for (const c of others) expect(c.arrived).toBe(lru.arrived); // the same traffic
    expect(others.some((c) => c.prefixHitBlocks !== lru.prefixHitBlocks)).toBe(true);
    expect(() => new ServingEnv({ task: "medium", cachePolicy: "belady" })).toThrow(/unsupported block eviction policy "belady" \(here: lru, /);
    expect(() => new ServingEnv({ task: "medium", cachePolicy: "s3fifo", cachePolicyParams: { small_ratio: -1 } })).toThrow(/small_ratio" must be ≥ 0/);
    expect(makeDiscrete("kvsim/Serving-easy-v0", { cachePolicy: "s3fifo" }).id).toBe("kvsim/Serving-easy-v0");
    expect(() => makeDiscrete("kvsim/Serving-npa-easy-v0", { cachePolicy: "lru" })).toThrow(/has no option "cachePolicy" \(options: none\)/);
    expect(() => makeDiscrete("kvsim/Serving-easy-v0", { cache: "lru" })).toThrow(/has no option "cache" \(options: cachePolicy, cachePolicyParams\)/);
  });

  // The pool empties its policy through the policy's own hooks (no new one is made): a seeded
  // episode after others must be the episode a fresh env plays.
  it.each(SERVING_CACHE_POLICIES)("%s: a seeded reset plays what a fresh env plays", (cachePolicy) => {
    const make = () => new ServingEnv({ task: "hard", gpuBlocks: 512, cpuBlocks: 512, batchLimit: 48, cachePolicy });
    const fresh = make();
    const fromFresh = (runEpisode(fresh, makeAgent("vllm", fresh), 9), fresh.counters());
    const used = make();
    runEpisode(used, makeAgent("random", used), 3);
    runEpisode(used, makeAgent("vllm", used), 4);
    runEpisode(used, makeAgent("vllm", used), 9, { beforeStep: () => used.check() });
    expect(used.counters()).toEqual(fromFresh);
    expect(fromFresh.prefixHitBlocks).toBeGreaterThan(0);
  });

  it("draws the same traffic whatever the agent does", () => {
    const arrivals = ["idle", "random", "vllm"].map((name) => {
      const env = small("medium");
      runEpisode(env, makeAgent(name, env), 11);
      const c = env.counters();
      return [c.arrived, c.arrivedWeight, c.returning];
    });
    expect(arrivals[1]).toEqual(arrivals[0]);
    expect(arrivals[2]).toEqual(arrivals[0]);
  });

  it("lasts exactly max_ticks steps, is truncated (never terminated) and repeats exactly for a seed", () => {
    const play = () => {
      const env = makeDiscrete("kvsim/Serving-easy-v0");
      const agent = makeAgent("random", env);
      let { observation } = env.reset({ seed: 9 });
      agent.reset(9);
      const rewards: number[] = [];
      for (;;) {
        const r = env.step(agent.act(observation));
        expect(r.terminated).toBe(false);
        rewards.push(r.reward);
        observation = r.observation;
        if (r.truncated) break;
      }
      expect(() => env.step(0)).toThrow(/after the episode ended/);
      return rewards;
    };
    const a = play();
    expect(a).toHaveLength(2000);
    expect(play()).toEqual(a);
  });

  it("scores zero for doing nothing and ranks the vLLM-like scheduler above random", () => {
    const score = (name: string, task: "easy" | "medium") => {
      const env = new ServingEnv({ task });
      runEpisode(env, makeAgent(name, env), 2026);
      return env.score();
    };
    expect(score("idle", "medium")).toBe(0);
    expect(score("vllm", "medium")).toBeGreaterThan(score("random", "medium"));
    expect(score("vllm", "easy")).toBeGreaterThan(0.95);
  });

  it("reuses returning users' conversations from the prefix cache and runs its scheduler inside WASM", () => {
    const env = new ServingEnv({ task: "easy" });
    env.reset({ seed: 1 });
    expect(env.runScheduler(10_000)).toBe(2000);
    const c = env.counters();
    expect(c.returning).toBeGreaterThan(100);
    expect(c.prefixHitBlocks).toBeGreaterThan(0);
    expect(c.completed).toBeGreaterThan(1500);
    expect(() => env.step(0)).toThrow(/after the episode ended/);
  });

  it("rejects actions outside the space", () => {
    const env = small("easy");
    env.reset();
    expect(() => env.step(9)).toThrow(/outside Discrete\(9\)/);
  });
});

describe("Mooncake trace replay as serving traffic", () => {
  it("replays every request at its tick, hits shared prefix blocks, and stays consistent", async () => {
    const trace = await readMooncakeTrace(fixture("mooncake/synthetic_trace.jsonl"));
    const env = new ServingEnv({ task: "medium", trace });
    expect(env.id).toBe("kvsim/Serving-trace-v0");
    const agent = makeAgent("random", env);
    let { observation } = env.reset({ seed: 1 });
    agent.reset(1);
    let steps = 0;
    for (;;) {
      const r = env.step(agent.act(observation));
      if (steps++ % 50 === 0) env.check();
      observation = r.observation;
      if (r.truncated) break;
    }
    expect(steps).toBe(Math.floor(1_022_025 / 100) + 600);
    const c = env.counters();
    expect(c.arrived).toBe(3993);
    expect(c.prefixHitBlocks).toBeGreaterThan(1000);
    const vllm = new ServingEnv({ task: "medium", trace });
    runEpisode(vllm, makeAgent("vllm", vllm), 1);
    expect(vllm.score()).toBeGreaterThan(env.score());
    expect(vllm.counters().arrived).toBe(3993);
  });

  it("rejects a hand-built trace with a negative block id (the pool's own marker)", () => {
    const trace = {
      name: "hand-built", timestamps: Float64Array.of(0, 100), inputLengths: Int32Array.of(1024, 1024),
      outputLengths: Int32Array.of(8, 8), blocks: Int32Array.of(0, 1, -1, 1), offsets: Int32Array.of(0, 2, 4),
      numBlocks: 2, blockIds: [0, 1],
    };
    expect(() => new ServingEnv({ task: "medium", trace })).toThrow(/hand-built: block 2 has id -1; block ids must be non-negative/);
  });
});
