import { describe, expect, it } from "vitest";
import { MAX_STEPS } from "../../src/envs/agentic/constants.js";
import { AgenticEpisode } from "../../src/envs/agentic/episode.js";
import { ENVS, make, makeDiscrete } from "../../src/envs/registry.js";

describe("kvsim/Agentic-v0 in Gymnasium's shape", () => {
  it("is registered beside the serving envs, made by the same make(), and refused where a discrete env is needed", () => {
    expect(ENVS.filter((e) => e.kind === "tool-calling").map((e) => e.id)).toEqual(["kvsim/Agentic-v0", "kvsim/Agentic-easy-v0", "kvsim/Agentic-medium-v0", "kvsim/Agentic-hard-v0"]);
    expect(make("kvsim/Agentic-v0").actionSpace.type).toBe("Sequence");
    expect(() => makeDiscrete("kvsim/Agentic-v0")).toThrow(/tool-calling environment: play it with `kvsim eval`/);
    expect(() => make("kvsim/Agentic-x-v0")).toThrow(/unknown environment "kvsim\/Agentic-x-v0"/);
  });

  it("pays the rubric reward on the 15th step and truncates", () => {
    const env = make("kvsim/Agentic-hard-v0");
    const { observation, info } = env.reset({ seed: 5 });
    expect(observation).toHaveLength(env.observationSpace.type === "Box" ? env.observationSpace.shape[0] : -1);
    expect(info.difficulty).toBe("hard");
    let total = 0;
    for (let t = 1; t <= MAX_STEPS; t++) {
      const r = env.step([[1, 0], [0, 1]]); // compress slot 0, evict slot 1
      expect(r.observation).toHaveLength(observation.length);
      expect(r.terminated).toBe(false);
      expect(r.truncated).toBe(t === MAX_STEPS);
      expect(r.info.results).toHaveLength(2);
      if (t < MAX_STEPS) expect(r.reward).toBe(0);
      total += r.reward;
      if (t === MAX_STEPS) expect(r.info.metrics?.num_turns).toBe(MAX_STEPS);
    }
    expect(total).not.toBe(0);
    expect(() => env.step([])).toThrow(/over/);
  });

  it("matches the same calls made through AgenticEpisode", () => {
    const env = make("kvsim/Agentic-v0");
    env.reset({ seed: 8, options: { difficulty: "medium" } });
    const episode = new AgenticEpisode({ index: 0, difficulty: "medium", scenarioSeed: 8 });
    let last = 0;
    for (let t = 0; t < MAX_STEPS; t++) {
      const slot0 = episode.observation().visible_seq_ids[0]!;
      last = env.step([[2, 0]]).reward;
      episode.act("swap_to_cpu", slot0);
      episode.endTurn();
    }
    expect(last).toBe(episode.score().reward);
  });

  it("throws on actions outside the space and on stepping before reset", () => {
    const env = make("kvsim/Agentic-easy-v0");
    expect(() => env.step([])).toThrow(/reset/);
    env.reset({ seed: 1 });
    expect(() => env.step([[4, 0]] as never)).toThrow(/action space/);
    expect(() => env.step([[0, 10]] as never)).toThrow(/action space/);
    expect(() => env.step([[0]] as never)).toThrow(/action space/);
    expect(() => env.step(Array(11).fill([3, 0]))).toThrow(/at most 10/);
    expect(() => env.step("evict" as never)).toThrow(/array/);
    expect(() => env.reset({ seed: 1, options: { difficulty: "extreme" } })).toThrow(/difficulty/);
    // An empty slot is a valid action that fails as a call.
    const r = env.step([[0, 9]]);
    expect(r.info.results[0]!.ok).toBe(r.info.visible.length > 9);
    expect(r.info.visible).toEqual(env.observationJson().visible_seq_ids);
    expect(env.render()).toMatch(/^Step 2 of 15\n\{"memory_usage"/);
  });
});
