/**
 * `npm run bench:server`: 20,000 step calls from 50 concurrent sessions over real HTTP on
 * 127.0.0.1 (server and client in one process on this 2-core machine), per environment;
 * throughput and p50/p99 latency, zero errors expected. Writes bench/results/server.json.
 */
import { writeFileSync } from "node:fs";
import { buildServer } from "../src/server/app.js";
import { loadTest, withServer, type LoadResult } from "./load.js";

const results: Record<string, LoadResult> = {};
for (const env of ["kvsim/Serving-npa-medium-v0", "kvsim/Serving-easy-v0"]) {
  results[env] = await withServer(() => buildServer({ maxSessions: 64 }), (base) => loadTest(base, env, 50, 20_000));
}
writeFileSync("bench/results/server.json", JSON.stringify({ date: new Date().toISOString(), node: process.version, results }, null, 2) + "\n");
console.log("| env | step calls | sessions | steps/s | p50 ms | p99 ms | errors |\n|---|---:|---:|---:|---:|---:|---:|");
for (const [env, r] of Object.entries(results)) {
  console.log(`| ${env} | ${r.steps} | ${r.sessions} | ${Math.round(r.stepsPerSecond)} | ${r.p50Ms.toFixed(1)} | ${r.p99Ms.toFixed(1)} | ${r.errors} |`);
}
