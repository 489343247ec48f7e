/**
 * `npm run bench:redis`: distributed sweeps on BullMQ against a local redis-server. (1) The same
 * sweep of 48 rows of about 0.1 s on 1 and on 2 worker processes (1 thread each), beside local
 * runs on 1 and 2 threads; runs alternate, and the database is flushed before each run so that
 * no job's stored result is reused. (2) The per-job queue overhead: 256 rows of almost no work
 * (64 BullMQ jobs of 4 rows), on one worker: (wall − work) / jobs. Writes bench/results/redis.json.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { packageRoot } from "../src/package-info.js";
import { originOf, planSweep } from "../src/sweep/plan-files.js";
import { runSweep, type SweepOutcome } from "../src/sweep/run-sweep.js";
import { readSweepSpec, type SweepSpecInput } from "../src/sweep/spec.js";
import { median } from "./median.js";
import { startRedis } from "./redis-server.js";

const ROUNDS = 3;
const work = mkdtempSync(join(tmpdir(), "kvsim-redis-bench-"));
const redis = await startRedis();
const url = redis.url(0);
const client = new Redis(url);

function specFile(name: string, spec: SweepSpecInput): string {
  const file = join(work, `${name}.json`);
  writeFileSync(file, JSON.stringify(spec));
  return file;
}

const heavy = specFile("heavy", {
  name: "heavy", scenarios: ["small_fp16_prefetch", "constrained"], workloads: [{ name: "zipf", params: { pages: 20000, length: 600000 } }],
  policies: ["lru", "s3fifo", "sieve", "random"], seeds: [1, 2, 3, 4, 5, 6],
});
// 256 rows of a 320-access trace: each job is nearly all queue round trip.
const tiny = specFile("tiny", {
  name: "tiny", scenarios: ["small_fp16_prefetch"], workloads: ["rag_burst"], policies: ["lru", "fifo", "random", "sieve"],
  seeds: Array.from({ length: 64 }, (_, i) => i + 1),
});

async function workers(n: number): Promise<ChildProcess[]> {
  const procs = Array.from({ length: n }, () =>
    spawn(process.execPath, [join(packageRoot(), "bin", "kvsim.js"), "worker", "--redis", url, "--concurrency", "1"], { stdio: ["ignore", "pipe", "inherit"] }));
  await Promise.all(procs.map((p) => new Promise<void>((resolve) => p.stdout!.on("data", (d: Buffer) => d.toString().includes("kvsim worker ") && resolve()))));
  return procs;
}

/** Stops workers and waits until they are gone, so that the next run starts on a quiet queue. */
const stop = (procs: ChildProcess[]) => Promise.all(procs.map((p) => new Promise((resolve) => {
  p.once("exit", resolve);
  p.kill("SIGTERM");
})));

async function run(file: string, how: { backend?: string; threads?: number }): Promise<SweepOutcome> {
  await client.flushdb();
  const plan = await planSweep(readSweepSpec(file), originOf(file));
  return runSweep(plan, { outDir: join(work, "out"), charts: false, ...how });
}

const walls: Record<string, number[]> = { "local, 1 thread": [], "local, 2 threads": [], "redis, 1 worker": [], "redis, 2 workers": [] };
for (let round = 0; round < ROUNDS; round++) {
  walls["local, 1 thread"]!.push((await run(heavy, { threads: 1 })).timing.wallMs);
  walls["local, 2 threads"]!.push((await run(heavy, { threads: 2 })).timing.wallMs);
  for (const n of [1, 2]) {
    const procs = await workers(n);
    walls[`redis, ${n} worker${n > 1 ? "s" : ""}`]!.push((await run(heavy, { backend: url })).timing.wallMs);
    await stop(procs);
  }
}

const overhead: number[] = [];
let tinyJobs = 0;
const procs = await workers(1);
for (let round = 0; round < ROUNDS; round++) {
  const o = await run(tiny, { backend: url });
  tinyJobs = o.timing.batches;
  overhead.push((o.timing.wallMs - o.timing.workMs) / o.timing.batches);
}
await stop(procs);
client.disconnect();
await redis.stop();
rmSync(work, { recursive: true, force: true });

const rows = Object.entries(walls).map(([name, ms]) => ({ case: name, wallMs: median(ms), runsPerSecond: 48 / (median(ms) / 1000) }));
const result = { date: new Date().toISOString(), node: process.version, rounds: ROUNDS, rows, perJobOverheadMs: median(overhead), tinyRows: 256, tinyJobs };
writeFileSync("bench/results/redis.json", JSON.stringify(result, null, 2) + "\n");
console.log(`48 rows (2 scenarios × zipf 600K accesses × 4 policies × 6 seeds), median of ${ROUNDS}:`);
console.log("| execution | wall s | runs/s |\n|---|---:|---:|");
for (const r of rows) console.log(`| ${r.case} | ${(r.wallMs / 1000).toFixed(2)} | ${r.runsPerSecond.toFixed(1)} |`);
console.log(`per-job queue overhead (${tinyJobs} jobs of 4 near-empty rows, 1 worker): ${result.perJobOverheadMs.toFixed(2)} ms`);
