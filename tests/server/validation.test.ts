import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeDiscrete } from "../../src/envs/registry.js";
import { buildServer } from "../../src/server/app.js";
import { connectWs } from "../helpers/ws-client.js";

let app: FastifyInstance;
let base: string;
beforeAll(async () => {
  app = await buildServer({ maxSessions: 8 });
  base = await app.listen({ host: "127.0.0.1", port: 0 });
});
afterAll(() => app.close());

const post = async (path: string, body: unknown) => {
  const res = await fetch(base + path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as any };
};
const ws = (path: string) => connectWs(base.replace("http", "ws") + path);

/** Seeds of the wrong type or range: each must be refused, never coerced or wrapped (seeds are in [0, 2^32)). */
const BAD_SEEDS: unknown[] = [-5, "abc", 1.5, 1e300, 2 ** 64, "7", 2 ** 32, true, [7]];
const SEED_RULE = "seed: must be an integer from 0 to 4294967295, got ";

const firstObservation = (seed: number) => makeDiscrete("kvsim/Serving-easy-v0").reset({ seed }).observation;

describe("one validation path for HTTP and WebSocket", () => {
  it("refuses every bad seed over HTTP and over WebSocket, kvsim's routes and OpenEnv's, with the same message, and the connection goes on", async () => {
    const socket = await ws("/envs/kvsim/Serving-easy-v0/ws");
    const openenv = await ws("/openenv/kvsim/Serving-easy-v0/ws");
    for (const seed of BAD_SEEDS) {
      const http = await post("/envs/kvsim/Serving-easy-v0/reset", { seed });
      expect(http.status, JSON.stringify(seed)).toBe(400);
      expect(http.json).toEqual({ error: "invalid_request", detail: SEED_RULE + JSON.stringify(seed) });
      const answer = await socket.ask({ type: "reset", seed });
      expect(answer, JSON.stringify(seed)).toEqual({ type: "error", status: 400, error: "invalid_request", detail: SEED_RULE + JSON.stringify(seed) });
      const stateless = await post("/openenv/kvsim/Serving-easy-v0/reset", { seed });
      expect(stateless.json, JSON.stringify(seed)).toEqual(http.json);
      const theirs = await openenv.ask({ type: "reset", data: { seed } });
      expect(theirs, JSON.stringify(seed)).toEqual({ type: "error", data: { message: SEED_RULE + JSON.stringify(seed), code: "VALIDATION_ERROR" } });
    }
    expect((await socket.ask({ type: "reset", seed: 7 })).observation).toEqual(firstObservation(7));
    expect((await openenv.ask({ type: "reset", data: { seed: 7, timeout_s: 30, request_id: "r-1" } })).data.observation.features).toEqual(firstObservation(7));
    for (const s of [socket, openenv]) {
      s.socket.close();
      await s.closed;
    }
  });

  it("refuses other fields of the wrong type or length on both transports", async () => {
    const socket = await ws("/envs/kvsim/Serving-easy-v0/ws");
    for (const [fields, detail] of [
      [{ episode_id: "e".repeat(256) }, /^episode_id: .*255/],
      [{ episode_id: 5 }, /^episode_id: .*expected string/],
      [{ options: [] }, /^options: .*expected record/],
    ] as const) {
      const http = await post("/envs/kvsim/Serving-easy-v0/reset", fields);
      expect(http.status, JSON.stringify(fields)).toBe(400);
      expect(http.json.detail).toMatch(detail);
      const answer = await socket.ask({ type: "reset", ...fields });
      expect(answer.detail).toBe(http.json.detail);
    }
    const noAction = await socket.ask({ type: "step" });
    expect(noAction).toMatchObject({ type: "error", error: "invalid_request", detail: "action: is required" });
    const http = await post("/envs/kvsim/Serving-easy-v0/step", { session_id: "x" });
    expect(http.json).toEqual({ error: "invalid_request", detail: "action: is required" });
    socket.socket.close();
    await socket.closed;
  });

  it("ignores unknown properties (timeout_s, request_id) and honours the seed beside them, on both transports", async () => {
    const extras = { timeout_s: 30, request_id: "r-1", render: true };
    const stateless = await post("/openenv/kvsim/Serving-easy-v0/reset", { seed: 7, ...extras });
    expect(stateless.json.observation.features).toEqual(firstObservation(7));
    const http = await post("/envs/kvsim/Serving-easy-v0/reset", { seed: 7, ...extras });
    expect(http.status).toBe(200);
    expect(http.json.observation).toEqual(firstObservation(7));
    const step = await post("/envs/kvsim/Serving-easy-v0/step", { session_id: http.json.session_id, action: 0, ...extras });
    expect(step.status).toBe(200);
    await fetch(`${base}/sessions/${http.json.session_id}`, { method: "DELETE" });
    const socket = await ws("/envs/kvsim/Serving-easy-v0/ws");
    expect((await socket.ask({ type: "reset", seed: 7, ...extras })).observation).toEqual(firstObservation(7));
    expect((await socket.ask({ type: "step", action: 0, ...extras })).type).toBe("step");
    socket.socket.close();
    await socket.closed;
  });

  it("a seed of null is no seed, as in OpenEnv's ResetRequest", async () => {
    const http = await post("/envs/kvsim/Serving-easy-v0/reset", { seed: null });
    expect(http.status).toBe(200);
    expect(http.json.observation).toEqual(makeDiscrete("kvsim/Serving-easy-v0").reset().observation);
    await fetch(`${base}/sessions/${http.json.session_id}`, { method: "DELETE" });
  });

  it("the routes still on Ajv do not coerce either: /api/simulate refuses a seed of \"7\" and one past 2^32", async () => {
    for (const seed of ["7", 2 ** 32]) {
      const r = await post("/api/simulate", { kind: "episode", env: "kvsim/Serving-npa-easy-v0", agent: "npa-lru", seed });
      expect(r.status, JSON.stringify(seed)).toBe(400);
    }
    expect((await post("/api/simulate", { kind: "episode", env: "kvsim/Serving-npa-easy-v0", agent: "npa-lru", seed: 7 })).status).toBe(200);
  });
});
