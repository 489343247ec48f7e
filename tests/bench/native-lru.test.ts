import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { simulate } from "../../src/simulate.js";
import { writeTrace } from "../../src/traces/load.js";
import { compileNativeLru, runNativeLru, writeNativeTrace } from "../../bench/native-lru.js";
import { generateWorkload } from "../../src/workloads/registry.js";
import { tier } from "../../bench/scenarios.js";
import type { Scenario } from "../../src/hierarchy/scenario.js";

/** `npm run bench:native` is only a ceiling if bench/native/lru.c computes what the engine does. */
describe("bench/native/lru.c", () => {
  const dir = mkdtempSync(join(tmpdir(), "kvsim-native-test-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("gives the engine's hits, misses, evictions and total latency on a small hierarchy", () => {
    const binary = compileNativeLru(dir);
    const scenario: Scenario = {
      name: "native-test", quantization: "fp16", prefetch: { enabled: false, maxCandidates: 2 },
      tiers: [tier("a", 64, 0.02, 0.02, 80_000), tier("b", 128, 0.06, 0.06, 40_000), tier("c", 256, 0.4, 0.35, 8_000)],
    };
    const trace = generateWorkload("zipf", { pages: 2000, length: 50_000, alpha: 0.9, seed: 4, scalars: 2048 });
    const file = join(dir, "zipf.kvt");
    writeNativeTrace(trace, scenario, file);
    const { metrics } = simulate({ scenario, trace, policy: "lru" });
    expect(metrics.evictions).toBeGreaterThan(1000);
    for (const distance of [0, 16]) {
      const { hits, misses, evictions, latency } = runNativeLru(binary, file, scenario, 0, distance, 1);
      expect({ hits, misses, evictions, latency }).toEqual({
        hits: metrics.hits, misses: metrics.misses, evictions: metrics.evictions, latency: metrics.totalLatencyMs,
      });
    }
  });

  it("refuses a trace whose page sizes are not bytes, with exit code 2", () => {
    const file = join(dir, "scalars.kvt");
    writeTrace(generateWorkload("zipf", { pages: 10, length: 20, alpha: 0.9, seed: 1, scalars: 2048 }), file);
    let status = 0;
    let stderr = "";
    try {
      execFileSync(join(dir, "lru"), [file, "0", "1", "0", "4096,1,1,1"], { stdio: ["ignore", "pipe", "pipe"] });
    } catch (error) {
      ({ status, stderr } = error as { status: number; stderr: string });
    }
    expect(status).toBe(2);
    expect(String(stderr)).toContain("page sizes in bytes");
  });
});
