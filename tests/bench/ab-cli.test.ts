import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

/** `npm run bench:ab` (dist/bench/ab.bench.js): the in-process A/B the commit messages quote. */
function ab(...args: string[]) {
  return spawnSync(process.execPath, ["dist/bench/ab.bench.js", ...args], { encoding: "utf8" });
}

describe("bench:ab", () => {
  it.each([
    [["build/kvsim.wasm"], "give at least two builds"],
    [["--rounds", "0", "build/kvsim.wasm", "build/kvsim.wasm"], "--rounds must be a positive integer, got 0"],
    [["--tiers", "5", "build/kvsim.wasm", "build/kvsim.wasm"], "--tiers must be 1 to 4, got 5"],
    [["--policies", "lru,nope", "build/kvsim.wasm", "build/kvsim.wasm"], "unknown policy nope"],
    [["--bogus", "build/kvsim.wasm", "build/kvsim.wasm"], "Unknown option '--bogus'"],
    [["--prefetch=2", "build/kvsim.wasm", "build/kvsim.wasm"], "Option '--prefetch' does not take an argument"],
    [["build/kvsim.wasm", "missing.wasm"], "no such file: missing.wasm"],
    [["build/kvsim.wasm", "no-such-revision"], "cannot build revision no-such-revision"],
  ])("%j is a usage error: exit 2, a message and the usage line", (args, message) => {
    const run = ab(...args);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain("usage: npm run bench:ab");
    expect(run.stdout).toBe("");
  });

  it("alternates two builds on the bench trace and reports medians, ratios and the metrics check", () => {
    const run = ab("--policies", "fifo", "--rounds", "1", "--tiers", "1", "build/kvsim.wasm", "build/kvsim.wasm");
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^fifo: build\/kvsim\.wasm \d+\.\d\dM \[\d+\.\d\d\] \| build\/kvsim\.wasm \d+\.\d\dM \(\d\.\d{3}×\) \[\d+\.\d\d\] — metrics identical\n$/);
  }, 120_000);
});
