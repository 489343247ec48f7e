import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { missRatioCurves } from "../../src/mrc/miss-ratio-curves.js";
import { decodeOracleGeneral } from "../../src/traces/formats/oracle-general.js";
import { generateWorkload } from "../../src/workloads/registry.js";
import { runCli } from "../helpers/cli.js";

const DIR = "tests/fixtures/libcachesim";
const CP = `${DIR}/cloudPhysicsIO.oracleGeneral.bin`;
const cp = decodeOracleGeneral(readFileSync(CP), "cloudPhysicsIO.oracleGeneral.bin");
const expected = readFileSync(`${DIR}/cloudphysics_misses.csv`, "utf8").trim().split("\n").slice(1).map((line) => {
  const [policy, objects, , misses] = line.split(",");
  return { policy: policy!, objects: Number(objects), misses: Number(misses) };
});
const POLICIES = ["lru", "fifo", "sieve", "lfu", "belady", "s3fifo"];

interface Printed {
  requests: number;
  objects: number;
  curves: { policy: string; points: { size: number; misses: number; missRatio: number }[] }[];
}

describe("kvsim mrc", () => {
  it("gives libCacheSim's cachesim misses for all six policies on its CloudPhysics sample (--profile libcachesim)", async () => {
    const r = await runCli(["mrc", "--trace", CP, "--ignore-obj-size", "--profile", "libcachesim", "--policy", POLICIES.join(","), "--sizes", "490,2449,4897,9795", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const printed = JSON.parse(r.stdout) as Printed;
    expect(Object.keys(printed)).toEqual(["requests", "objects", "curves"]);
    expect(printed).toMatchObject({ requests: 113_872, objects: 48_974 });
    expect(printed.curves.map((c) => c.policy)).toEqual(POLICIES);
    for (const row of expected) {
      const point = printed.curves.find((c) => c.policy === row.policy)!.points.find((p) => p.size === row.objects)!;
      expect(Object.keys(point)).toEqual(["size", "misses", "missRatio"]);
      expect(point.misses, `${row.policy} at ${row.objects}`).toBe(row.misses);
      expect(point.missRatio).toBe(row.misses / 113_872);
    }
  });

  it("gives the same curves for any number of threads", async () => {
    const run = (threads: number) => missRatioCurves({ trace: cp, policies: ["fifo", "lru", "s3fifo"], sizes: "1%,3%,10%", ignoreObjectSize: true, threads });
    expect(await run(1)).toEqual(await run(2));
  });

  it("with object sizes, takes percentages of the working set's bytes; there the one pass equals LRU's replays at 1%–50%", async () => {
    const sizes = "1%,2%,5%,10%,20%,30%,40%,50%";
    const onePass = await missRatioCurves({ trace: cp, policies: ["lru"], sizes });
    const replays = await missRatioCurves({ trace: cp, policies: ["lru"], sizes, exactReplays: true });
    expect(onePass).toMatchObject({ unit: "bytes", workingSet: 2_029_769_728 });
    expect(onePass.curves[0]!.points[0]!.size).toBe(20_297_697);
    expect(onePass.curves[0]!.method).toBe("stack-distances");
    expect(replays.curves[0]!.method).toBe("replays");
    expect(onePass.curves[0]!.points).toEqual(replays.curves[0]!.points);
  });

  it("SHARDS at R = 0.1 stays within 0.005 of the exact curve on average and 0.03 at worst, on a Zipf trace", async () => {
    const zipf = generateWorkload("zipf", { pages: 100_000, length: 1_000_000, alpha: 0.99, seed: 1 });
    const sizes = Array.from({ length: 50 }, (_, i) => `${2 * (i + 1)}%`);
    const exact = await missRatioCurves({ trace: zipf, policies: ["lru"], sizes, ignoreObjectSize: true });
    const sampled = await missRatioCurves({ trace: zipf, policies: ["lru"], sizes, ignoreObjectSize: true, sampleRate: 0.1 });
    expect(sampled.curves[0]!.method).toBe("shards");
    expect(sampled.sampleRate).toBeCloseTo(0.1, 9);
    const errors = sampled.curves[0]!.points.map((p, i) => Math.abs(p.missRatio - exact.curves[0]!.points[i]!.missRatio));
    expect(errors.reduce((a, b) => a + b) / errors.length).toBeLessThan(0.005);
    expect(Math.max(...errors)).toBeLessThan(0.03);
  });
});
