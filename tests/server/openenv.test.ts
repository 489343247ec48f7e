import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeAgent } from "../../src/agents/registry.js";
import { isDiscrete, make } from "../../src/envs/registry.js";
import { buildServer } from "../../src/server/app.js";
import { OpenEnvClient } from "../helpers/openenv-client.js";
import { connectWs, upgradeStatus } from "../helpers/ws-client.js";

// OpenEnv's client (tests/helpers/openenv-client.ts, which cites env_client.py line by line)
// against kvsim serve over real WebSockets. The shapes of the server's answers are OpenEnv's
// server's (meta-pytorch/OpenEnv at 685de411, src/openenv/core/env_server/…), cited at each check.

let main: FastifyInstance;
let agenticRoot: FastifyInstance;
const bases: Record<string, string> = {};

// One session each: a session the client's close did not end would refuse the next case's reset.
beforeAll(async () => {
  main = await buildServer({ maxSessions: 1 });
  bases["main"] = await main.listen({ host: "127.0.0.1", port: 0 });
  agenticRoot = await buildServer({ maxSessions: 1, defaultEnv: "kvsim/Agentic-hard-v0" });
  bases["agentic"] = await agenticRoot.listen({ host: "127.0.0.1", port: 0 });
});
afterAll(async () => {
  await main.close();
  await agenticRoot.close();
});

/** The env's own actions, played in-process and sent over the wire: a random agent's for a serving env, fixed tool calls for the agentic one. */
function actionsFor(envId: string) {
  const env = make(envId);
  if (isDiscrete(env)) {
    const agent = makeAgent("random", env);
    return { env, first: (seed: number) => (agent.reset(seed), env.reset({ seed })), next: (obs: number[]) => agent.act(obs), outside: 99 };
  }
  return { env, first: (seed: number) => env.reset({ seed }), next: () => [[1, 0], [0, 2]], outside: [[99, 0]] };
}

const CASES = [
  { name: "a serving env under its prefix", envId: "kvsim/Serving-easy-v0", server: "main", path: "/openenv/kvsim/Serving-easy-v0" },
  { name: "the agentic env under its prefix", envId: "kvsim/Agentic-hard-v0", server: "main", path: "/openenv/kvsim/Agentic-hard-v0" },
  { name: "a serving env at kvsim's own env prefix (the first message picks the protocol)", envId: "kvsim/Serving-easy-v0", server: "main", path: "/envs/kvsim/Serving-easy-v0" },
  { name: "the agentic env at kvsim's own env prefix", envId: "kvsim/Agentic-hard-v0", server: "main", path: "/envs/kvsim/Agentic-hard-v0" },
  { name: "a serving env as the root's default env", envId: "kvsim/Serving-easy-v0", server: "main", path: "" },
  { name: "the agentic env as the root's default env (--env)", envId: "kvsim/Agentic-hard-v0", server: "agentic", path: "" },
];

describe("OpenEnv's client exchange over a real WebSocket", () => {
  for (const { name, envId, server, path } of CASES) {
    it(`${name}: reset with a seed, steps, state, errors and close give the in-process env's observations and rewards`, async () => {
      const client = new OpenEnvClient(bases[server] + path);
      const local = actionsFor(envId);
      const seed = 7;
      let mine = local.first(seed);

      const reset = await client.reset({ seed, episode_id: "ep-1" });
      // What EnvClient.reset sends (env_client.py:385-388), as json.dumps writes it (env_client.py:216).
      expect(client.sent[0]).toBe('{"type": "reset", "data": {"seed": 7, "episode_id": "ep-1"}}');
      // WSObservationResponse (types.py:288-296) around serialize_observation's three keys (serialization.py:167-171).
      expect(Object.keys(client.received[0]!)).toEqual(["type", "data"]);
      expect(client.received[0]!["type"]).toBe("observation");
      expect(Object.keys(client.received[0]!["data"])).toEqual(["observation", "reward", "done"]);
      expect(reset).toEqual({ observation: { features: mine.observation, terminated: false, truncated: false, info: JSON.parse(JSON.stringify(mine.info)) }, reward: null, done: false });

      let steps = 0;
      let last;
      for (;;) {
        const action = local.next(mine.observation);
        const result = (local.env.step as (a: unknown) => ReturnType<typeof local.env.step>)(action);
        // EnvClient.step sends {"type": "step", "data": payload} (env_client.py:403-406); GenericEnvClient's payload is the dict itself (generic_client.py:74-76).
        last = await client.step({ action });
        expect(client.sent.at(-1)).toBe(`{"type": "step", "data": {"action": ${JSON.stringify(action).replaceAll(",", ", ")}}}`);
        expect(last.reward).toBe(result.reward);
        expect(last.done).toBe(result.terminated || result.truncated);
        expect(last.observation).toEqual({ features: result.observation, terminated: result.terminated, truncated: result.truncated, info: JSON.parse(JSON.stringify(result.info)) });
        mine = result;
        steps++;
        if (last.done) break;
      }

      // WSStateResponse (types.py:299-305) carrying State's fields (types.py:178-197) and kvsim's.
      const state = await client.state();
      expect(client.sent.at(-1)).toBe('{"type": "state"}');
      expect(client.received.at(-1)!["type"]).toBe("state");
      expect(state).toEqual({ episode_id: "ep-1", step_count: steps, env: envId, done: true });

      // Errors: WSErrorResponse {type: "error", data: {message, code}} (types.py:308-314), raised by the client as RuntimeError (env_client.py:230-235).
      await expect(client.step({ action: local.next(mine.observation) })).rejects.toThrow(/^Server error: .*is over.* \(code: EXECUTION_ERROR\)$/);
      await expect(client.reset({ seed: 8 })).resolves.toMatchObject({ done: false });
      await expect(client.step({ action: local.outside })).rejects.toThrow(/\(code: VALIDATION_ERROR\)$/);
      // OpenEnv's Action forbids keys it does not define (types.py:61-65).
      await expect(client.step({ action: local.next(mine.observation), foo: 1 })).rejects.toThrow(/^Server error: data: Unrecognized key: "foo" \(code: VALIDATION_ERROR\)$/);

      await client.close();
      expect(client.sent.at(-1)).toBe('{"type": "close"}');
      // The session ended with the connection: the server's only session is free for another client.
      const again = new OpenEnvClient(bases[server] + path);
      await expect(again.reset({ seed })).resolves.toMatchObject({ done: false });
      await again.close();
    }, 60_000);
  }

  it("answers malformed and unknown messages as OpenEnv's server does, and keeps the connection", async () => {
    const socket = await connectWs(bases["main"]!.replace("http", "ws") + "/openenv/kvsim/Serving-easy-v0/ws");
    // http_server.py:1338-1348 (invalid JSON) and 1452-1458 (an unknown type).
    expect(await socket.ask("{oops")).toMatchObject({ type: "error", data: { code: "INVALID_JSON", message: expect.stringMatching(/^Invalid JSON: /) } });
    expect(await socket.ask({ type: "jump" })).toEqual({ type: "error", data: { message: "Unknown message type: jump", code: "UNKNOWN_TYPE" } });
    // State before any reset: a fresh env's (OpenEnv's session holds a fresh env from the connection on, http_server.py:1317).
    expect(await socket.ask({ type: "state" })).toEqual({ type: "state", data: { episode_id: null, step_count: 0, env: "kvsim/Serving-easy-v0", done: false } });
    expect(await socket.ask({ type: "step", data: { action: 0 } })).toEqual({ type: "error", data: { message: "no episode yet: send a reset first", code: "EXECUTION_ERROR" } });
    expect((await socket.ask({ type: "reset" })).type).toBe("observation");
    socket.socket.close();
    await socket.closed;
  });

  it("refuses an unknown env before the upgrade", async () => {
    const status = await upgradeStatus(bases["main"]!.replace("http", "ws") + "/openenv/kvsim/Nope-v0/ws");
    expect(status).toBe(404);
  });
});
