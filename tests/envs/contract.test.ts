import { describe, expect, it } from "vitest";
import { ENVS, make, isDiscrete, type AnyEnv } from "../../src/envs/registry.js";

/** A fixed, valid action: do nothing for the discrete envs, one keep call for the tool-calling ones. */
const idle = (env: AnyEnv) => (isDiscrete(env) ? Math.max(0, env.actionSpace.labels?.indexOf("do_nothing") ?? 0) : [[3, 0] as const]);

/** The observations and rewards of a reset and `steps` idle steps (fewer if the episode ends). */
function play(env: AnyEnv, seed: number | undefined, steps: number): string {
  const trail: unknown[] = [env.reset(seed === undefined ? {} : { seed }).observation];
  for (let i = 0; i < steps; i++) {
    const r = isDiscrete(env) ? env.step(idle(env) as number) : env.step(idle(env) as [[3, 0]]);
    trail.push(r.observation, r.reward);
    if (r.terminated || r.truncated) break;
  }
  return JSON.stringify(trail);
}

it("ids are named by kind, as make()'s typed overloads promise", () => {
  const kindOf = (id: string) => (id.startsWith("kvsim/Agentic") ? "tool-calling" : id.startsWith("kvsim/Serving") || id.startsWith("kvsim/Fleet") ? "discrete" : "?");
  for (const e of ENVS) expect(kindOf(e.id), e.id).toBe(e.kind);
});

// Gymnasium's contract (docs/envs.md): a seed restarts the env's generator, no seed continues it,
// an env never seeded starts from its default seed, and close() is idempotent.
describe.each(ENVS.map((e) => [e.id]))("%s keeps the env contract", (id) => {
  const steps = 40;

  it("the same seed replays the same episode, on the same env and on a fresh one", () => {
    const env = make(id);
    const first = play(env, 7, steps);
    play(env, 8, steps);
    expect(play(env, 7, steps)).toBe(first);
    expect(play(make(id), 7, steps)).toBe(first);
  });

  it("without a seed the generator goes on: the next episode differs from a replay, and repeats across fresh envs", () => {
    const env = make(id);
    const seeded = play(env, 7, steps);
    const next = play(env, undefined, steps);
    expect(next).not.toBe(seeded);
    const again = make(id);
    play(again, 7, steps);
    expect(play(again, undefined, steps)).toBe(next);
  });

  it("an env never seeded starts reproducibly", () => {
    expect(play(make(id), undefined, steps)).toBe(play(make(id), undefined, steps));
  });

  it("close() is idempotent and refuses later resets and steps", () => {
    const env = make(id);
    env.reset({ seed: 1 });
    env.close();
    env.close();
    expect(() => env.reset({ seed: 1 })).toThrow(/after close\(\)/);
    expect(() => (isDiscrete(env) ? env.step(0) : env.step([]))).toThrow(/after close\(\)/);
  });
});
