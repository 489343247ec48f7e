import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeAgent } from "../../src/agents/registry.js";
import { makeDiscrete } from "../../src/envs/registry.js";
import { buildServer } from "../../src/server/app.js";
import { connectWs } from "../helpers/ws-client.js";

let app: FastifyInstance;
let wsBase: string;

beforeAll(async () => {
  app = await buildServer({ maxSessions: 4 });
  wsBase = (await app.listen({ host: "127.0.0.1", port: 0 })).replace("http", "ws");
});
afterAll(() => app.close());

const connect = (path: string) => connectWs(wsBase + path);

describe("WebSocket sessions", () => {
  it("play a whole episode exactly as the in-process env does, then close", async () => {
    const env = makeDiscrete("kvsim/Serving-npa-easy-v0");
    const agent = makeAgent("random", env);
    let obs = env.reset({ seed: 11 }).observation;
    agent.reset(11);
    const c = await connect("/envs/kvsim/Serving-npa-easy-v0/ws");
    const reset = await c.ask({ type: "reset", seed: 11 });
    expect(reset.type).toBe("reset");
    expect(reset.observation).toEqual(obs);
    for (;;) {
      const action = agent.act(obs);
      const mine = env.step(action);
      const theirs = await c.ask({ type: "step", action });
      expect(theirs).toMatchObject({ type: "step", reward: mine.reward, observation: mine.observation, terminated: mine.terminated, truncated: mine.truncated });
      obs = mine.observation;
      if (mine.terminated || mine.truncated) break;
    }
    expect((await c.ask({ type: "state" })).done).toBe(true);
    expect(await c.ask({ type: "close" })).toEqual({ type: "close" });
  }, 60_000);

  it("answer bad messages with errors and keep the connection", async () => {
    const c = await connect("/envs/kvsim/Serving-easy-v0/ws");
    expect(await c.ask("{oops")).toMatchObject({ type: "error", status: 400, error: "bad_json" });
    expect(await c.ask({ type: "step", action: 0 })).toMatchObject({ type: "error", status: 404 });
    expect(await c.ask({ type: "jump" })).toMatchObject({ type: "error", error: "bad_message" });
    await c.ask({ type: "reset", seed: 1 });
    expect(await c.ask({ type: "step", action: 42 })).toMatchObject({ type: "error", status: 400, error: "invalid_action" });
    expect((await c.ask({ type: "step", action: 1 })).type).toBe("step");
    c.socket.close();
    const unknown = await connect("/envs/kvsim/Nope-v0/ws");
    expect(await unknown.next()).toMatchObject({ type: "error", status: 404, error: "unknown_env" });
  });
});
