import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeAgent } from "../../src/agents/registry.js";
import { make, makeDiscrete } from "../../src/envs/registry.js";
import { buildServer } from "../../src/server/app.js";

let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  app = await buildServer({ maxSessions: 4, bodyLimit: 4096 });
  base = (await app.listen({ host: "127.0.0.1", port: 0 })) + "";
});
afterAll(() => app.close());

async function call(method: string, path: string, body?: unknown, raw?: string): Promise<{ status: number; json: any }> {
  const res = await fetch(base + path, {
    method, headers: body !== undefined || raw !== undefined ? { "content-type": "application/json" } : {},
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  return { status: res.status, json: await res.json() };
}

describe("kvsim serve over real HTTP on 127.0.0.1", () => {
  it("plays a whole serving episode exactly as the in-process env does", async () => {
    const env = makeDiscrete("kvsim/Serving-easy-v0");
    const agent = makeAgent("random", env);
    let local = env.reset({ seed: 7 }).observation;
    agent.reset(7);
    const reset = await call("POST", "/envs/kvsim/Serving-easy-v0/reset", { seed: 7, episode_id: "ep-1" });
    expect(reset.status).toBe(200);
    expect(reset.json.observation).toEqual(local);
    const sid = reset.json.session_id;
    let steps = 0;
    for (;;) {
      const action = agent.act(local);
      const mine = env.step(action);
      const theirs = await call("POST", "/envs/kvsim/Serving-easy-v0/step", { session_id: sid, action });
      expect(theirs.status).toBe(200);
      expect(theirs.json.reward).toBe(mine.reward);
      expect(theirs.json.observation).toEqual(mine.observation);
      expect(theirs.json.truncated).toBe(mine.truncated);
      local = mine.observation;
      steps++;
      if (mine.terminated || mine.truncated) break;
    }
    const state = await call("GET", `/envs/kvsim/Serving-easy-v0/state?session_id=${sid}`);
    expect(state.json).toMatchObject({ session_id: sid, episode_id: "ep-1", steps, done: true });
    expect((await call("POST", "/envs/kvsim/Serving-easy-v0/step", { session_id: sid, action: 0 })).status).toBe(409);
    expect((await call("DELETE", `/sessions/${sid}`)).status).toBe(200);
  }, 60_000);

  it("keeps two concurrent sessions apart, and serves the agentic env with list actions", async () => {
    const a = await call("POST", "/envs/kvsim/Agentic-hard-v0/reset", { seed: 3 });
    const b = await call("POST", "/envs/kvsim/Agentic-hard-v0/reset", { seed: 3 });
    expect(a.json.observation).toEqual(b.json.observation);
    const local = make("kvsim/Agentic-hard-v0");
    local.reset({ seed: 3 });
    let last: any;
    for (let t = 0; t < 15; t++) {
      const [ra] = await Promise.all([
        call("POST", "/envs/kvsim/Agentic-hard-v0/step", { session_id: a.json.session_id, action: [[1, 0], [0, 2]] }),
        call("POST", "/envs/kvsim/Agentic-hard-v0/step", { session_id: b.json.session_id, action: [] }),
      ]);
      last = ra.json;
      const mine = local.step([[1, 0], [0, 2]]);
      expect(ra.json.observation).toEqual(mine.observation);
      expect(ra.json.reward).toBe(mine.reward);
    }
    expect(last.truncated).toBe(true);
    const stateB = await call("GET", `/envs/kvsim/Agentic-hard-v0/state?session_id=${b.json.session_id}`);
    expect(stateB.json.steps).toBe(15);
    await call("DELETE", `/sessions/${a.json.session_id}`);
    await call("DELETE", `/sessions/${b.json.session_id}`);
  });

  it("answers bad requests with 4xx and { error, detail }, and keeps serving", async () => {
    const ok = await call("POST", "/envs/kvsim/Serving-easy-v0/reset", {});
    const sid = ok.json.session_id;
    const cases: [Promise<{ status: number; json: any }>, number][] = [
      [call("POST", "/envs/kvsim/Serving-easy-v0/reset", undefined, "{not json"), 400],
      [call("POST", "/envs/kvsim/Nope-v0/reset", {}), 404],
      [call("POST", "/envs/kvsim/Serving-easy-v0/step", { session_id: sid, action: 99 }), 400],
      [call("POST", "/envs/kvsim/Serving-easy-v0/step", { session_id: sid, action: "admit" }), 400],
      [call("POST", "/envs/kvsim/Agentic-easy-v0/step", { session_id: sid, action: [] }), 400],
      [call("POST", "/envs/kvsim/Serving-easy-v0/step", { session_id: "nope", action: 0 }), 404],
      [call("POST", "/envs/kvsim/Serving-easy-v0/step", { action: 0 }), 400],
      [call("POST", "/envs/kvsim/Serving-easy-v0/reset", { seed: -1 }), 400],
      [call("POST", "/envs/kvsim/Serving-easy-v0/reset", { options: { x: "y".repeat(5000) } }), 413],
      [call("GET", "/no/such/route"), 404],
    ];
    for (const [pending, status] of cases) {
      const r = await pending;
      expect(r.status).toBe(status);
      expect(typeof r.json.error).toBe("string");
      expect(typeof r.json.detail).toBe("string");
    }
    // Too many sessions: 4 allowed, one is open.
    const extra = await Promise.all([1, 2, 3].map(() => call("POST", "/envs/kvsim/Serving-easy-v0/reset", {})));
    expect(extra.every((r) => r.status === 200)).toBe(true);
    const refused = await call("POST", "/envs/kvsim/Serving-easy-v0/reset", {});
    expect(refused.status).toBe(429);
    expect(refused.json.error).toBe("too_many_sessions");
    for (const r of [ok, ...extra]) await call("DELETE", `/sessions/${r.json.session_id}`);
    // All four closed: four new sessions fit again.
    const again = await Promise.all([1, 2, 3, 4].map(() => call("POST", "/envs/kvsim/Serving-easy-v0/reset", {})));
    expect(again.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    for (const r of again) await call("DELETE", `/sessions/${r.json.session_id}`);
    // Still serving.
    expect((await call("POST", "/envs/kvsim/Serving-easy-v0/step", { session_id: sid, action: 0 })).status).toBe(404);
  });

  it("publishes listings, schemas, metadata and an OpenAPI document covering the routes", async () => {
    const envs = await call("GET", "/api/envs");
    expect(envs.json.envs.map((e: { id: string }) => e.id)).toEqual(expect.arrayContaining(["kvsim/Serving-medium-v0", "kvsim/Agentic-v0"]));
    expect((await call("GET", "/api/policies")).json.page.length).toBeGreaterThan(5);
    expect((await call("GET", "/api/agents")).json.agents.map((a: { name: string }) => a.name)).toContain("vllm");
    const schema = await call("GET", "/envs/kvsim/Serving-medium-v0/schema");
    expect(schema.json.action).toMatchObject({ type: "integer", minimum: 0, maximum: 8 });
    expect(schema.json.observation).toMatchObject({ type: "array", minItems: 16 });
    const agentic = await call("GET", "/envs/kvsim/Agentic-v0/schema");
    expect(agentic.json.action).toMatchObject({ type: "array", maxItems: 10 });
    expect((await call("GET", "/envs/kvsim/Agentic-v0/metadata")).json.id).toBe("kvsim/Agentic-v0");
    const openapi = await call("GET", "/openapi.json");
    expect(openapi.json.openapi).toMatch(/^3\./);
    for (const path of ["/health", "/api/envs", "/api/policies", "/api/agents", "/envs/{namespace}/{name}/reset", "/envs/{namespace}/{name}/step",
      "/envs/{namespace}/{name}/state", "/envs/{namespace}/{name}/schema", "/envs/{namespace}/{name}/metadata", "/sessions/{id}"]) {
      expect(Object.keys(openapi.json.paths), path).toContain(path);
    }
    // The WebSocket routes are listed, answering the upgrade with 101.
    for (const path of ["/envs/{namespace}/{name}/ws", "/ws", "/openenv/{namespace}/{name}/ws"]) {
      expect(Object.keys(openapi.json.paths[path].get.responses), path).toContain("101");
    }
    // /api/sweep answers 202, and says so.
    expect(Object.keys(openapi.json.paths["/api/sweep"].post.responses)).toContain("202");
    expect(Object.keys(openapi.json.paths["/api/sweep"].post.responses)).not.toContain("200");
  });

  it("documents the 2xx answers of reset, step and state, kvsim's and OpenEnv's, with exactly the keys they have", async () => {
    const paths = (await call("GET", "/openapi.json")).json.paths;
    const documented = (path: string, method: string) => {
      const schema = paths[path][method].responses["200"].content["application/json"].schema;
      return Object.keys(schema.properties);
    };
    const reset = await call("POST", "/envs/kvsim/Serving-easy-v0/reset", { seed: 1 });
    expect(Object.keys(reset.json)).toEqual(documented("/envs/{namespace}/{name}/reset", "post"));
    const sid = reset.json.session_id;
    expect(Object.keys((await call("POST", "/envs/kvsim/Serving-easy-v0/step", { session_id: sid, action: 0 })).json)).toEqual(documented("/envs/{namespace}/{name}/step", "post"));
    expect(Object.keys((await call("GET", `/envs/kvsim/Serving-easy-v0/state?session_id=${sid}`)).json)).toEqual(documented("/envs/{namespace}/{name}/state", "get"));
    await call("DELETE", `/sessions/${sid}`);
    // The root serves the default env (a serving one), the prefix here the agentic env.
    for (const [base, action] of [["", 0], ["/openenv/{namespace}/{name}", [[1, 0]]]] as const) {
      const real = base.replace("{namespace}/{name}", "kvsim/Agentic-v0");
      expect(Object.keys((await call("POST", `${real}/reset`, { seed: 1 })).json), base).toEqual(documented(`${base}/reset`, "post"));
      expect(Object.keys((await call("POST", `${real}/step`, { action: { action } })).json), base).toEqual(documented(`${base}/step`, "post"));
      expect(Object.keys((await call("GET", `${real}/state`)).json), base).toEqual(documented(`${base}/state`, "get"));
    }
  });
});

describe("a bounded load over real HTTP", () => {
  it("serves 2,000 steps from 20 concurrent sessions without an error", async () => {
    const { loadTest, withServer } = await import("../../bench/load.js");
    const r = await withServer(() => buildServer({ maxSessions: 32 }), (url) => loadTest(url, "kvsim/Serving-npa-easy-v0", 20, 2_000));
    expect(r.errors).toBe(0);
    expect(r.steps).toBe(2_000);
  }, 60_000);
});

describe("POST /api/simulate", () => {
  it("plays a headless episode and replays a workload exactly as the library does", async () => {
    const { runEpisode } = await import("../../src/agents/agent.js");
    const { simulate } = await import("../../src/simulate.js");
    const { SCENARIO_PRESETS } = await import("../../src/hierarchy/presets.js");
    const { generateWorkload } = await import("../../src/workloads/registry.js");
    const episode = await call("POST", "/api/simulate", { kind: "episode", env: "kvsim/Serving-npa-easy-v0", agent: "npa-lru", seed: 4 });
    expect(episode.status).toBe(200);
    const env = makeDiscrete("kvsim/Serving-npa-easy-v0");
    const local = runEpisode(env, makeAgent("npa-lru", env), 4);
    expect(episode.json.return).toBe(local.return);
    expect(episode.json.telemetry).toHaveLength(local.steps);
    const replay = await call("POST", "/api/simulate", { kind: "replay", scenario: "small_fp16_prefetch", workload: "rag_burst", policy: "lru", events: 5 });
    expect(replay.status).toBe(200);
    const mine = simulate({ scenario: structuredClone(SCENARIO_PRESETS["small_fp16_prefetch"]!), trace: generateWorkload("rag_burst"), policy: "lru" });
    expect(replay.json.metrics).toEqual(JSON.parse(JSON.stringify(mine.metrics)));
    expect(replay.json.events).toHaveLength(5);
  });

  it("ends a headless episode longer than --max-steps with 413 episode_too_long, and allows one exactly that long", async () => {
    const { runEpisode } = await import("../../src/agents/agent.js");
    const env = makeDiscrete("kvsim/Serving-npa-easy-v0");
    const length = runEpisode(env, makeAgent("npa-lru", env), 4).steps;
    const body = { kind: "episode", env: "kvsim/Serving-npa-easy-v0", agent: "npa-lru", seed: 4 };
    for (const [limit, status] of [[length, 200], [length - 1, 413]] as const) {
      const limited = await buildServer({ maxEpisodeSteps: limit });
      const r = await limited.inject({ method: "POST", url: "/api/simulate", payload: body });
      expect(r.statusCode, `limit ${limit}`).toBe(status);
      if (status === 413) expect(r.json()).toMatchObject({ error: "episode_too_long" });
      await limited.close();
    }
  });

  it("refuses unknown names, oversized replays and malformed requests with 4xx", async () => {
    const cases: [unknown, number][] = [
      [{ kind: "replay", scenario: "nope", workload: "rag_burst", policy: "lru" }, 404],
      [{ kind: "replay", scenario: "small_fp16_prefetch", workload: "rag_burst", policy: "magic" }, 400],
      [{ kind: "replay", scenario: "small_fp16_prefetch", workload: "zipf", policy: "lru", workload_params: { length: 5_000_000 } }, 413],
      [{ kind: "episode", env: "kvsim/Agentic-v0" }, 404],
      [{ kind: "teleport" }, 400],
    ];
    for (const [body, status] of cases) {
      const r = await call("POST", "/api/simulate", body);
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(typeof r.json.detail).toBe("string");
    }
  });
});
