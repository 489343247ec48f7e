import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { writeTrace } from "../src/traces/load.js";
import { pageBytes } from "../src/simulate.js";
import type { Scenario } from "../src/hierarchy/scenario.js";
import type { Trace } from "../src/traces/trace.js";

/** One replay of bench/native/lru.c: its rate and the figures it must share with the engine. */
export interface NativeLruRun { rate: number; hits: number; misses: number; evictions: number; latency: number }

/** Compiles bench/native/lru.c into `dir` with the system's cc; returns the binary's path. */
export function compileNativeLru(dir: string, flags: string[] = []): string {
  const binary = join(dir, "lru");
  // No contraction into fused multiply-adds: the doubles must be the engine's, bit for bit.
  execFileSync("cc", ["-O2", ...flags, "-ffp-contract=off", "-o", binary, "bench/native/lru.c"], { stdio: ["ignore", "ignore", "pipe"] });
  return binary;
}

/** Writes the trace with its page sizes in bytes under the scenario, as lru.c reads it. */
export function writeNativeTrace(trace: Trace, scenario: Scenario, file: string): void {
  writeTrace({ ...trace, pageBytes: pageBytes(trace, scenario) }, file);
}

/**
 * Runs the binary on a trace written by `writeNativeTrace`: `replays` replays in one process,
 * `distance` the prefetch distance (0: none); returns the last replay.
 */
export function runNativeLru(binary: string, traceFile: string, scenario: Scenario, decodePenaltyMs: number,
  distance: number, replays: number): NativeLruRun {
  const tiers = scenario.tiers.map((t) => `${t.capacityBytes},${t.readLatencyMs},${t.writeLatencyMs},${t.bandwidthBytesPerMs}`);
  const out = execFileSync(binary, [traceFile, String(distance), String(replays), String(decodePenaltyMs), ...tiers], { encoding: "utf8" });
  const [rate, hits, misses, evictions, latency] = out.trim().split("\n").at(-1)!.split(" ").map(Number) as
    [number, number, number, number, number];
  return { rate, hits, misses, evictions, latency };
}
