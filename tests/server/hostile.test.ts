import { request } from "node:http";
import { connect } from "node:net";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServer } from "../../src/server/app.js";
import { makeAgenticPolicy } from "../../src/envs/agentic/policies/registry.js";
import { KvsimInputError } from "../../src/errors.js";
import { upgradeStatus } from "../helpers/ws-client.js";

let app: FastifyInstance;
let base: string;
beforeAll(async () => {
  app = await buildServer({ maxSweepRows: 50 });
  base = await app.listen({ host: "127.0.0.1", port: 0 });
});
afterAll(() => app.close());

const call = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${base}${path}`, { method, ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }) });
  return { status: res.status, json: (await res.json()) as { error?: string; detail?: string } };
};

/** Names every JavaScript object has but no registry holds. */
const PROTOTYPE_NAMES = ["constructor", "toString", "hasOwnProperty", "__proto__", "valueOf"];

describe("hostile inputs to the server (issue 29)", () => {
  it("registry lookups go by own key: prototype names are unknown scenarios and agentic policies, never a 500", async () => {
    for (const name of PROTOTYPE_NAMES) {
      const replay = await call("POST", "/api/simulate", { kind: "replay", scenario: name, workload: "rag_burst", policy: "lru" });
      expect(replay.status, name).toBe(404);
      expect(replay.json).toMatchObject({ error: "unknown_scenario" });
      const sweep = await call("POST", "/api/sweep", { spec: { name: "x", scenarios: [name], workloads: ["rag_burst"], policies: ["lru"] } });
      expect(sweep.status, name).toBe(400);
      expect(sweep.json.detail).toMatch(/is not a scenario preset/);
    }
    expect((await call("GET", "/health")).status).toBe(200);
    for (const name of PROTOTYPE_NAMES) expect(() => makeAgenticPolicy(name), name).toThrow(KvsimInputError);
  });

  it("an artifact name that is a directory or a traversal (., .., %2e%2e) is an unknown artifact", async () => {
    const started = await call("POST", "/api/sweep", { spec: { name: "tiny", scenarios: ["small_fp16_prefetch"], workloads: ["rag_burst"], policies: ["lru"] }, charts: false });
    expect(started.status).toBe(202);
    const id = (started.json as { sweep_id: string }).sweep_id;
    await (await fetch(`${base}/api/sweep/${id}/events`)).text();
    // Sent as written (fetch would resolve "." and ".." away before they reach the server).
    const raw = (path: string) => new Promise<{ status: number; json: { error?: string } }>((resolve, reject) => {
      const { port } = new URL(base);
      request({ host: "127.0.0.1", port, path, method: "GET", headers: { connection: "close" }, agent: false }, (res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode!, json: JSON.parse(text) }));
      }).on("error", reject).end();
    });
    for (const name of [".", "..", "%2e%2e", "%2E", "..%2f..", "results.jsonl.tmp"]) {
      const r = await raw(`/api/sweep/${id}/artifacts/${name}`);
      expect(r.status, name).toBe(404);
      expect(r.json, name).toMatchObject({ error: "unknown_artifact" });
    }
    expect((await call("GET", `/api/sweep/${id}/artifacts`)).json).toMatchObject({ artifacts: expect.arrayContaining(["results.jsonl"]) });
    expect((await fetch(`${base}/api/sweep/${id}/artifacts/results.jsonl`)).status).toBe(200);
  });

  it("what Node's parser refuses (a malformed request line, a bad content-length, headers too large) is answered in {error, detail} too", async () => {
    const { port } = new URL(base);
    const rawRequest = (text: string) => new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), "127.0.0.1", () => socket.end(text));
      let answer = "";
      socket.on("data", (c: Buffer) => (answer += c.toString()));
      socket.on("close", () => resolve(answer));
      socket.on("error", reject);
    });
    for (const [text, status, error] of [
      ["GARBAGE\r\n\r\n", 400, "bad_request"],
      ["POST /api/simulate HTTP/1.1\r\nhost: x\r\ncontent-length: abc\r\n\r\n", 400, "bad_request"],
      [`GET /health HTTP/1.1\r\nhost: x\r\nx-big: ${"a".repeat(20_000)}\r\n\r\n`, 431, "headers_too_large"],
    ] as const) {
      const answer = await rawRequest(text);
      expect(answer.split("\r\n")[0], text.slice(0, 20)).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      expect(JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4))).toMatchObject({ error });
    }
    expect((await call("GET", "/health")).status).toBe(200);
  });

  it("a foreign Origin is refused over HTTP and WebSocket, a Host that is not this machine too (DNS rebinding); the server's own origin and listed ones pass", async () => {
    const { port } = new URL(base);
    const withHeaders = async (headers: Record<string, string>) => {
      const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        request({ host: "127.0.0.1", port, path: "/api/envs", method: "GET", headers: { connection: "close", ...headers }, agent: false }, (r) => {
          let body = "";
          r.on("data", (c: Buffer) => (body += c.toString()));
          r.on("end", () => resolve({ status: r.statusCode!, body }));
        }).on("error", reject).end();
      });
      return { status: res.status, json: JSON.parse(res.body) as { error?: string } };
    };
    expect(await withHeaders({ origin: "https://evil.example" })).toMatchObject({ status: 403, json: { error: "forbidden_origin" } });
    expect(await withHeaders({ host: `evil.example:${port}` })).toMatchObject({ status: 403, json: { error: "forbidden_host" } });
    expect((await withHeaders({ origin: `http://127.0.0.1:${port}` })).status).toBe(200);
    expect((await withHeaders({ host: `localhost:${port}` })).status).toBe(200);
    const refused = await upgradeStatus(`${base.replace("http", "ws")}/envs/kvsim/Serving-easy-v0/ws`, { origin: "https://evil.example" });
    expect(refused).toBe(403);
    const listed = await buildServer({ allowedOrigins: ["https://lab.example"] });
    const listedBase = await listed.listen({ host: "127.0.0.1", port: 0 });
    try {
      expect((await fetch(`${listedBase}/api/envs`, { headers: { origin: "https://lab.example" } })).status).toBe(200);
    } finally {
      await listed.close();
    }
  });

  it("a workload larger than the server's limits is refused before it is built, in a replay or a sweep, and /health answers throughout", async () => {
    const t0 = performance.now();
    // Within the generator's own ranges (2^24 pages, 2^28 accesses) but past the server's (1M pages, 2M accesses).
    for (const params of [{ pages: 5_000_000 }, { length: 30_000_000 }]) {
      const replay = await call("POST", "/api/simulate", { kind: "replay", scenario: "small_fp16_prefetch", workload: "zipf", workload_params: params, policy: "lru" });
      expect(replay.status, JSON.stringify(params)).toBe(413);
      expect(replay.json).toMatchObject({ error: "workload_too_large" });
      const sweep = await call("POST", "/api/sweep", { spec: { name: "big", scenarios: ["small_fp16_prefetch"], workloads: [{ name: "zipf", params }], policies: ["lru"] } });
      expect(sweep.status, JSON.stringify(params)).toBe(413);
      expect(sweep.json.detail).toMatch(/^workloads\.0: at most/);
    }
    expect((await call("GET", "/health")).status).toBe(200);
    // Refused from the parameters: nothing was generated.
    expect(performance.now() - t0).toBeLessThan(2_000);
  });
});
