/**
 * `npm run bench:libcachesim`: kvsim against libCacheSim's `cachesim` on the engine bench's
 * 10M-access Zipf(0.99) trace over 1M pages (780,100 touched), written as oracleGeneral, one cache
 * of 10% of the objects (`--ignore-obj-size`). For each policy both run as a user runs them, one
 * whole process each: `cachesim FILE oracleGeneral POLICY N --ignore-obj-size 1` and `kvsim run
 * --trace FILE --ignore-obj-size --profile libcachesim --policy POLICY --json`, alternated policy by
 * policy over the rounds (the machine's speed drifts; rounds spread it over both). Each round's
 * miss ratios must agree to cachesim's four printed decimals (its exact count too, when the build
 * prints one) or the bench fails. Writes bench/results/libcachesim.json.
 *
 * `cachesim` is not an npm or Debian package: build it from libCacheSim's repository (CMake,
 * Release; tests/fixtures/libcachesim/README.md says how the parity counts' build was made) and
 * give its path in KVSIM_CACHESIM.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { oneCache } from "../src/mrc/one-cache.js";
import { writeTrace } from "../src/traces/load.js";
import { generateWorkload } from "../src/workloads/registry.js";
import { median } from "./median.js";

const CACHESIM = process.env.KVSIM_CACHESIM;
if (!CACHESIM || !existsSync(CACHESIM)) {
  console.error("bench:libcachesim: set KVSIM_CACHESIM to a libCacheSim cachesim binary (built from https://github.com/1a1a11a/libCacheSim with CMake, Release)");
  process.exit(2);
}
const ROUNDS = Number(process.env.KVSIM_BENCH_ROUNDS ?? 3);
/** kvsim's policy → cachesim's name for the same algorithm (the parity test's pairs). */
const POLICIES: [kvsim: string, cachesim: string][] = [
  ["lru", "lru"], ["fifo", "fifo"], ["clock", "clock"], ["sieve", "sieve"], ["lfu", "lfu"], ["s3fifo", "s3fifo"],
  ["arc", "arc"], ["twoq", "twoq"], ["lirs", "lirs"], ["tinylfu", "wtinylfu"], ["belady", "belady"],
];
const KVSIM = join(import.meta.dirname, "..", "..", "bin", "kvsim.js");

interface Run { seconds: number; missRatio: number; misses?: number }

/** Runs one process, timing it whole. */
function timed(command: string, args: string[], cwd: string): { seconds: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(command, args, { cwd, encoding: "utf8", maxBuffer: 1 << 26 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return { seconds, stdout: r.stdout };
}

function runCachesim(file: string, policy: string, objects: number, cwd: string): Run {
  const { seconds, stdout } = timed(CACHESIM!, [file, "oracleGeneral", policy, String(objects), "--ignore-obj-size", "1"], cwd);
  const ratio = /miss ratio ([0-9.]+)/.exec(stdout);
  if (!ratio) throw new Error(`cachesim ${policy}: no miss ratio in its output:\n${stdout}`);
  // A build patched to print the exact count (tests/fixtures/libcachesim/README.md) says "EXACT … <misses>".
  const exact = /EXACT\s+\S+\s+\S+\s+(\d+)/.exec(stdout);
  return { seconds, missRatio: Number(ratio[1]), ...(exact ? { misses: Number(exact[1]) } : {}) };
}

function runKvsim(file: string, scenario: string, policy: string, cwd: string): Run & { accesses: number } {
  const { seconds, stdout } = timed(process.execPath, [KVSIM, "run", "--scenario", scenario, "--trace", file, "--ignore-obj-size", "--profile", "libcachesim", "--policy", policy, "--json"], cwd);
  const { metrics } = JSON.parse(stdout) as { metrics: { accesses: number; misses: number } };
  return { seconds, missRatio: metrics.misses / metrics.accesses, misses: metrics.misses, accesses: metrics.accesses };
}

const dir = mkdtempSync(join(tmpdir(), "kvsim-bench-libcachesim-"));
try {
  const zipf = generateWorkload("zipf", { pages: 1_000_000, length: 10_000_000, alpha: 0.99, seed: 1, scalars: 2048 });
  const objects = new Set(zipf.accesses).size;
  const size = Math.round(objects / 10);
  const file = join(dir, "zipf10M.oracleGeneral.bin");
  writeTrace(zipf, file);
  const scenario = join(dir, "cache.json");
  writeFileSync(scenario, JSON.stringify(oneCache(size, "objects")));
  console.log(`${zipf.accesses.length} requests over ${objects} objects; one cache of ${size} objects; ${ROUNDS} rounds`);
  const runs = new Map(POLICIES.map(([p]) => [p, { cachesim: [] as Run[], kvsim: [] as Run[] }]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [policy, theirs] of POLICIES) {
      const c = runCachesim(file, theirs, size, dir);
      const k = runKvsim(file, scenario, policy, dir);
      if (Math.abs(k.missRatio - c.missRatio) > 5e-5 || (c.misses !== undefined && c.misses !== k.misses)) {
        throw new Error(`${policy}: kvsim misses ${k.misses} (ratio ${k.missRatio.toFixed(6)}), cachesim ${theirs} ${c.misses ?? "?"} (ratio ${c.missRatio})`);
      }
      runs.get(policy)!.cachesim.push(c);
      runs.get(policy)!.kvsim.push(k);
      console.log(`round ${round + 1}: ${policy}: cachesim ${c.seconds.toFixed(2)} s, kvsim ${k.seconds.toFixed(2)} s, miss ratio ${c.missRatio}`);
    }
  }
  const rows = POLICIES.map(([policy, theirs]) => {
    const r = runs.get(policy)!;
    const cachesimS = median(r.cachesim.map((x) => x.seconds));
    const kvsimS = median(r.kvsim.map((x) => x.seconds));
    return { policy, cachesimPolicy: theirs, missRatio: r.cachesim[0]!.missRatio, misses: r.kvsim[0]!.misses, cachesimS, kvsimS, speedup: cachesimS / kvsimS };
  });
  console.log("\npolicy     miss ratio  cachesim (s)  kvsim (s)  cachesim ÷ kvsim   (whole processes, medians; simulated misses)");
  for (const r of rows) console.log(`${r.policy.padEnd(10)} ${r.missRatio.toFixed(4).padEnd(11)} ${r.cachesimS.toFixed(2).padEnd(13)} ${r.kvsimS.toFixed(2).padEnd(10)} ${r.speedup.toFixed(2)}×`);
  writeFileSync("bench/results/libcachesim.json", JSON.stringify({ node: process.version, cachesim: CACHESIM, rounds: ROUNDS, requests: zipf.accesses.length, objects, cacheObjects: size, rows }, null, 2) + "\n");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
