import { randomUUID } from "node:crypto";
import { createReadStream, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { scenarioPreset } from "../hierarchy/presets.js";
import { planSweep } from "../sweep/plan-files.js";
import { sweepRowCount } from "../sweep/plan.js";
import { sweepPreset } from "../sweep/presets.js";
import { runSweep, type SweepProgress } from "../sweep/run-sweep.js";
import { parseSweepSpec, type SweepSpec } from "../sweep/spec.js";
import { errorBody, HttpError } from "./sessions.js";
import { checkWorkloadSize, type WorkloadLimits } from "./workload-size.js";

export interface SweepLimits extends WorkloadLimits {
  /** Most runs in one sweep. */
  maxSweepRows: number;
  /** Most sweeps kept (running or finished); the oldest finished one is dropped beyond it. */
  maxSweeps: number;
  threads: number;
}

interface SweepJob {
  id: string;
  dir: string;
  status: "running" | "complete" | "failed" | "interrupted" | "error";
  progress: SweepProgress;
  error?: string;
  listeners: Set<(event: object) => void>;
}

/**
 * Client specs may name presets only: no trace files, no scenario files (the server reads no files
 * for a client); and their generated workloads keep to the server's size limits.
 */
function checkClientSpec(spec: SweepSpec, limits: WorkloadLimits): void {
  spec.scenarios.forEach((s, i) => {
    if (typeof s === "string" && !scenarioPreset(s)) throw new HttpError(400, "bad_spec", `scenarios.${i}: "${s}" is not a scenario preset (files are not read for API clients)`);
  });
  spec.workloads.forEach((w, i) => {
    if (typeof w === "object" && "trace" in w) throw new HttpError(400, "bad_spec", `workloads.${i}: trace files are not read for API clients; use generated workloads`);
    const { name, params } = typeof w === "string" ? { name: w, params: {} } : w;
    checkWorkloadSize(name, params, limits, `workloads.${i}`);
  });
}

/**
 * Sweeps over HTTP: `POST /api/sweep` starts one (`{spec}` inline or `{preset}`) and answers its
 * id at once; `GET /api/sweep/{id}` reports progress; `GET /api/sweep/{id}/events` streams
 * progress as server-sent events until the end; `GET /api/sweep/{id}/artifacts[/{name}]` lists
 * and serves the files a local `kvsim sweep` writes.
 */
export function registerSweeps(app: FastifyInstance, limits: SweepLimits): void {
  const jobs = new Map<string, SweepJob>();
  const root = mkdtempSync(join(tmpdir(), "kvsim-serve-sweeps-"));
  const controller = new AbortController();
  app.addHook("onClose", async () => {
    controller.abort();
    rmSync(root, { recursive: true, force: true });
  });

  const checkRunning = () => {
    if ([...jobs.values()].filter((j) => j.status === "running").length >= limits.maxSweeps) {
      throw new HttpError(429, "too_many_sweeps", `at most ${limits.maxSweeps} sweeps run at once`);
    }
  };
  const endEvent = (job: SweepJob) => ({ type: "end", status: job.status, ...(job.error ? { error: job.error } : {}) });

  const get = (id: string) => {
    const job = jobs.get(id);
    if (!job) throw new HttpError(404, "unknown_sweep", `no sweep "${id}"`);
    return job;
  };

  app.post("/api/sweep", {
    schema: {
      body: { type: "object", additionalProperties: false, properties: { spec: { type: "object" }, preset: { type: "string" }, charts: { type: "boolean" } } },
      response: {
        202: { type: "object", properties: { sweep_id: { type: "string" }, rows: { type: "integer" }, name: { type: "string" } }, required: ["sweep_id", "rows", "name"], description: "the sweep started; it runs in the background" },
        400: errorBody, 413: errorBody, 429: errorBody,
      },
    },
  }, async (req, reply) => {
    const body = req.body as { spec?: unknown; preset?: string; charts?: boolean };
    if ((body.spec === undefined) === (body.preset === undefined)) throw new HttpError(400, "bad_request", "give exactly one of spec or preset");
    const source = body.preset ? `preset ${body.preset}` : "spec";
    const spec = parseSweepSpec(body.preset ? sweepPreset(body.preset).spec() : body.spec, source);
    // The limits are checked before planning, which builds every trace the sweep needs.
    const rows = sweepRowCount(spec);
    if (rows > limits.maxSweepRows) throw new HttpError(413, "sweep_too_large", `at most ${limits.maxSweepRows} runs per sweep; this one has ${rows}`);
    if (body.spec !== undefined) checkClientSpec(spec, limits);
    checkRunning();
    const plan = await planSweep(spec, { source, baseDir: root });
    checkRunning(); // again: another sweep may have started while this one was planned
    const finished = [...jobs.values()].filter((j) => j.status !== "running");
    while (jobs.size >= limits.maxSweeps && finished.length > 0) {
      const old = finished.shift()!;
      jobs.delete(old.id);
      rmSync(old.dir, { recursive: true, force: true });
    }
    const id = randomUUID();
    const job: SweepJob = { id, dir: join(root, id), status: "running", progress: { done: 0, failed: 0, total: plan.rows.length, elapsedMs: 0 }, listeners: new Set() };
    jobs.set(id, job);
    const emit = (event: object) => job.listeners.forEach((l) => l(event));
    runSweep(plan, { outDir: job.dir, threads: limits.threads, charts: body.charts ?? true, signal: controller.signal, onProgress: (p) => { job.progress = p; emit({ type: "progress", ...p }); } })
      .then((outcome) => { job.status = outcome.status; })
      .catch((err: Error) => { job.status = "error"; job.error = err.message; })
      .finally(() => emit(endEvent(job)));
    return reply.status(202).send({ sweep_id: id, rows: plan.rows.length, name: plan.name });
  });

  app.get("/api/sweep/:id", async (req) => {
    const job = get((req.params as { id: string }).id);
    return { sweep_id: job.id, status: job.status, ...job.progress, ...(job.error ? { error: job.error } : {}) };
  });

  app.get("/api/sweep/:id/events", async (req, reply) => {
    const job = get((req.params as { id: string }).id);
    reply.raw.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    const send = (event: object) => reply.raw.write(`data: ${JSON.stringify(event)}\n\n`);
    send({ type: "progress", ...job.progress });
    if (job.status !== "running") {
      send(endEvent(job));
      reply.raw.end();
      return reply;
    }
    const listener = (event: object) => {
      send(event);
      if ((event as { type: string }).type === "end") {
        job.listeners.delete(listener);
        reply.raw.end();
      }
    };
    job.listeners.add(listener);
    req.raw.on("close", () => job.listeners.delete(listener));
    return reply;
  });

  /** A sweep's finished files (no temporaries, no directories), sorted. */
  const artifactsOf = (dir: string): string[] =>
    existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile() && !e.name.includes(".tmp")).map((e) => e.name).sort() : [];

  app.get("/api/sweep/:id/artifacts", async (req) => {
    const job = get((req.params as { id: string }).id);
    return { sweep_id: job.id, status: job.status, artifacts: artifactsOf(job.dir) };
  });

  app.get("/api/sweep/:id/artifacts/:name", async (req, reply) => {
    const { id, name } = req.params as { id: string; name: string };
    const job = get(id);
    // Only a file the listing shows is served: `.`, `..` and their encodings name directories, not artifacts.
    if (!artifactsOf(job.dir).includes(name)) throw new HttpError(404, "unknown_artifact", `sweep ${id} has no artifact "${name}"`);
    const type = name.endsWith(".svg") ? "image/svg+xml" : name.endsWith(".json") ? "application/json" : name.endsWith(".csv") ? "text/csv" : "text/plain";
    return reply.type(type).send(createReadStream(join(job.dir, name)));
  });
}
