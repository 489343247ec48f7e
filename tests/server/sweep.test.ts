import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServer } from "../../src/server/app.js";
import { runCli } from "../helpers/cli.js";

let app: FastifyInstance;
let base: string;
beforeAll(async () => {
  app = await buildServer({ maxSweepRows: 300 });
  base = await app.listen({ host: "127.0.0.1", port: 0 });
});
afterAll(() => app.close());

const post = async (body: unknown) => {
  const res = await fetch(`${base}/api/sweep`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as any };
};

describe("POST /api/sweep", () => {
  it("runs a sweep, streams its progress as server-sent events, and serves the same artifacts as a local run", async () => {
    const started = await post({ preset: "khl-default", charts: false });
    expect(started.status).toBe(202);
    const id = started.json.sweep_id;
    expect(started.json.rows).toBe(210);
    const stream = await fetch(`${base}/api/sweep/${id}/events`);
    expect(stream.headers.get("content-type")).toMatch(/text\/event-stream/);
    const events = (await stream.text()).trim().split("\n\n").map((e) => JSON.parse(e.replace(/^data: /, "")));
    expect(events.at(-1)).toMatchObject({ type: "end", status: "complete" });
    const status = await (await fetch(`${base}/api/sweep/${id}`)).json();
    expect(status).toMatchObject({ status: "complete", done: 210, total: 210, failed: 0 });
    const list = await (await fetch(`${base}/api/sweep/${id}/artifacts`)).json();
    expect(list.artifacts).toEqual(expect.arrayContaining(["results.jsonl", "summary.csv"]));
    const served = await (await fetch(`${base}/api/sweep/${id}/artifacts/results.jsonl`)).text();
    const dir = mkdtempSync(join(tmpdir(), "kvsim-local-sweep-"));
    expect((await runCli(["sweep", "--preset", "khl-default", "--no-charts", "--out", dir])).code).toBe(0);
    expect(served).toBe(readFileSync(join(dir, "results.jsonl"), "utf8"));
  }, 60_000);

  it("refuses file references, oversized sweeps, unknown ids and bad names with 4xx", async () => {
    const fileSpec = { name: "t", scenarios: ["small_fp16_prefetch"], workloads: [{ trace: "/etc/passwd" }], policies: ["lru"] };
    expect((await post({ spec: fileSpec })).json.error).toBe("bad_spec");
    expect((await post({ spec: { ...fileSpec, scenarios: ["/tmp/x.json"], workloads: ["rag_burst"] } })).status).toBe(400);
    expect((await post({ preset: "policy-comparison" })).status).toBe(413);
    expect((await post({ preset: "khl-default", spec: {} })).status).toBe(400);
    expect((await post({ spec: { name: "t", scenarios: ["small_fp16_prefetch"], workloads: ["rag_burst"], policies: ["nope"] } })).status).toBe(400);
    expect((await fetch(`${base}/api/sweep/nope`)).status).toBe(404);
    const ok = await post({ spec: { name: "t", scenarios: ["small_fp16_prefetch"], workloads: ["rag_burst"], policies: ["lru"] }, charts: false });
    expect(ok.status).toBe(202);
    expect((await fetch(`${base}/api/sweep/${ok.json.sweep_id}/artifacts/..%2Fsecret`)).status).toBe(404);
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });
});
