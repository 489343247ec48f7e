import { mkdtempSync, readFileSync, rmSync } from "node:fs";
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
    try {
      expect((await runCli(["sweep", "--preset", "khl-default", "--no-charts", "--out", dir])).code).toBe(0);
      expect(served).toBe(readFileSync(join(dir, "results.jsonl"), "utf8"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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

  it("refuses an oversized sweep before building its traces", async () => {
    // 330 rows of half-billion-access traces: planning first would build 30 of them.
    const huge = { name: "huge", scenarios: ["small_fp16_prefetch"], workloads: [{ name: "zipf", params: { pages: 1000, length: 500_000_000 } }],
      policies: ["lru", "fifo", "sieve", "s3fifo", "random", "cost_aware", "belady", "lfu", "heavy_hitter", "windowed_recency", "predictive"],
      seeds: Array.from({ length: 30 }, (_, i) => i) };
    const refused = await post({ spec: huge });
    expect(refused.status).toBe(413);
    expect(refused.json).toMatchObject({ error: "sweep_too_large", detail: expect.stringContaining("330") });
  });

  it("answers 429 while its limit of sweeps is running, and reports a finished sweep's end to late subscribers", async () => {
    const one = await buildServer({ maxSweeps: 1 });
    const at = await one.listen({ host: "127.0.0.1", port: 0 });
    try {
      const start = (body: unknown) => fetch(`${at}/api/sweep`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      const first = await start({ preset: "khl-default", charts: false });
      expect(first.status).toBe(202);
      const id = ((await first.json()) as { sweep_id: string }).sweep_id;
      const second = await start({ preset: "khl-default", charts: false });
      expect(second.status).toBe(429);
      expect(await second.json()).toMatchObject({ error: "too_many_sweeps" });
      await (await fetch(`${at}/api/sweep/${id}/events`)).text(); // until the end event
      const late = (await (await fetch(`${at}/api/sweep/${id}/events`)).text()).trim().split("\n\n").map((e) => JSON.parse(e.replace(/^data: /, "")));
      expect(late.at(-1)).toEqual({ type: "end", status: "complete" });
      expect((await start({ preset: "khl-default", charts: false })).status).toBe(202);
    } finally {
      await one.close();
    }
  }, 60_000);
});
