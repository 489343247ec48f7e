import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { make } from "../../src/envs/registry.js";
import { buildServer } from "../../src/server/app.js";
import { spaceSchema } from "../../src/server/space-schema.js";
import { OpenEnvClient } from "../helpers/openenv-client.js";

// OpenEnv's stateless HTTP routes (meta-pytorch/OpenEnv at 685de411,
// src/openenv/core/env_server/http_server.py and types.py, cited at each check) for kvsim's envs,
// over real HTTP on 127.0.0.1.

let app: FastifyInstance;
let base: string;
// One session at most: the stateless routes must not hold any.
beforeAll(async () => {
  app = await buildServer({ maxSessions: 1 });
  base = await app.listen({ host: "127.0.0.1", port: 0 });
});
afterAll(() => app.close());

const call = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(base + path, { method, ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, text, json: JSON.parse(text) as any };
};

/** kvsim's result in OpenEnv's terms (docs/server.md): what serialize_observation would send (serialization.py:136-171). */
const asOpenEnv = (r: { observation: unknown; info: unknown; reward?: number; terminated?: boolean; truncated?: boolean }) => ({
  observation: { features: r.observation, terminated: r.terminated ?? false, truncated: r.truncated ?? false, info: JSON.parse(JSON.stringify(r.info)) },
  reward: r.reward ?? null,
  done: (r.terminated ?? false) || (r.truncated ?? false),
});

const PREFIXES = [
  { prefix: "", envId: "kvsim/Serving-easy-v0", action: 3 },
  { prefix: "/openenv/kvsim/Serving-medium-v0", envId: "kvsim/Serving-medium-v0", action: 5 },
  { prefix: "/openenv/kvsim/Agentic-easy-v0", envId: "kvsim/Agentic-easy-v0", action: [[1, 0], [0, 2]] },
];

describe("OpenEnv's HTTP routes, at the root (default env) and under each env's prefix", () => {
  for (const { prefix, envId, action } of PREFIXES) {
    it(`${prefix || "/"} (${envId}): a stateless reset and step give a fresh in-process env's results; state, schema, metadata and health answer OpenEnv's models`, async () => {
      // POST /reset: a fresh env reset with the request's fields, ResetResponse {observation, reward, done} (http_server.py:604-629, types.py:110-123).
      const reset = await call("POST", `${prefix}/reset`, { seed: 7, episode_id: "e-1", timeout_s: 1 });
      expect(reset.status).toBe(200);
      expect(Object.keys(reset.json)).toEqual(["observation", "reward", "done"]);
      expect(reset.json).toEqual(asOpenEnv(make(envId).reset({ seed: 7 })));
      // A missing body is an empty ResetRequest (http_server.py:1099-1102): no seed.
      expect((await call("POST", `${prefix}/reset`)).json).toEqual(asOpenEnv(make(envId).reset()));

      // POST /step: StepRequest {action: {…}, timeout_s?, request_id?} (types.py:126-152) on a fresh env (http_server.py:632-667), StepResponse (types.py:155-166).
      const body = { action: { action }, timeout_s: 30, request_id: "r-1" };
      const step = await call("POST", `${prefix}/step`, body);
      expect(step.status).toBe(200);
      expect(Object.keys(step.json)).toEqual(["observation", "reward", "done"]);
      const fresh = make(envId);
      fresh.reset();
      expect(step.json).toEqual(asOpenEnv((fresh.step as (a: unknown) => ReturnType<typeof fresh.step>)(action)));
      // Stateless: the same request, the same bytes.
      expect((await call("POST", `${prefix}/step`, body)).text).toBe(step.text);

      // GET /state: a fresh env's State (http_server.py:1159-1164, types.py:178-197).
      expect((await call("GET", `${prefix}/state`)).json).toEqual({ episode_id: null, step_count: 0, env: envId, done: false });

      // GET /schema: SchemaResponse {action, observation, state} (types.py:225-236), each a JSON Schema object.
      const schema = (await call("GET", `${prefix}/schema`)).json;
      expect(Object.keys(schema)).toEqual(["action", "observation", "state"]);
      expect(schema.action).toMatchObject({ type: "object", required: ["action"], additionalProperties: false, properties: { action: JSON.parse(JSON.stringify(spaceSchema(make(envId).actionSpace))) } });
      expect(Object.keys(schema.observation.properties)).toEqual(["done", "reward", "metadata", "features", "terminated", "truncated", "info"]);
      expect(Object.keys(schema.state.properties)).toEqual(expect.arrayContaining(["episode_id", "step_count"]));

      // GET /metadata: EnvironmentMetadata, every field (types.py:208-222).
      const metadata = (await call("GET", `${prefix}/metadata`)).json;
      expect(Object.keys(metadata)).toEqual(["name", "description", "readme_content", "version", "author", "documentation_url"]);
      expect(metadata.name).toBe(envId);
      expect(typeof metadata.description).toBe("string");

      // GET /health: HealthResponse {status: "healthy"} (http_server.py:1188-1195, types.py:239-245).
      expect(await call("GET", `${prefix}/health`)).toMatchObject({ status: 200, json: { status: "healthy" } });
    });
  }

  it("refuses bad requests with 400 {error, detail}: an action that is not an object, an unknown action key, an action outside the space, bad step fields", async () => {
    for (const [body, detail] of [
      [{ action: 3 }, /^action: .*expected object/],
      [{}, /^action: .*expected object/],
      [{ action: { action: 3, foo: 1 } }, /^action: Unrecognized key: "foo"$/],
      [{ action: {} }, /^action\.action: is required$/],
      [{ action: { action: 99 } }, /./],
      [{ action: { action: 3 }, timeout_s: 0 }, /^timeout_s: /],
      [{ action: { action: 3 }, request_id: "r".repeat(256) }, /^request_id: /],
    ] as const) {
      const r = await call("POST", "/step", body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.detail, JSON.stringify(body)).toMatch(detail);
    }
    expect((await call("POST", "/step", { action: { action: 99 } })).json.error).toBe("invalid_action");
    for (const path of ["/openenv/kvsim/Nope-v0/reset", "/openenv/kvsim/Nope-v0/health", "/openenv/kvsim/Nope-v0/schema"]) {
      const r = await call(path.endsWith("reset") ? "POST" : "GET", path, path.endsWith("reset") ? {} : undefined);
      expect(r.status, path).toBe(404);
      expect(r.json.error).toBe("unknown_env");
    }
  });

  it("holds no session for a stateless request: after many, the server's one session is still free for a WebSocket episode", async () => {
    for (let i = 0; i < 5; i++) expect((await call("POST", "/reset", { seed: i })).status).toBe(200);
    const client = new OpenEnvClient(base);
    await expect(client.reset({ seed: 1 })).resolves.toMatchObject({ done: false });
    await client.close();
  });

  it("passes the checks `openenv validate` makes of a running server, but MCP's (cli/_validation.py:140-410)", async () => {
    const openapi = (await call("GET", "/openapi.json")).json;
    expect(typeof openapi.info.version).toBe("string");
    // Simulation mode: /reset, /step and /state all listed (_validation.py:384-393).
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(["/reset", "/step", "/state", "/schema", "/metadata", "/health",
      "/openenv/{namespace}/{name}/reset", "/openenv/{namespace}/{name}/step", "/openenv/{namespace}/{name}/state"]));
    expect((await call("GET", "/health")).json.status).toBe("healthy");
    const metadata = (await call("GET", "/metadata")).json;
    expect([typeof metadata.name, typeof metadata.description]).toEqual(["string", "string"]);
    const schema = (await call("GET", "/schema")).json;
    for (const key of ["action", "observation", "state"]) expect(typeof schema[key], key).toBe("object");
  });
});
