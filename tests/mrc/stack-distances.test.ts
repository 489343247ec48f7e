import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lruStackCurve, shardsThreshold } from "../../src/mrc/lru-stack-curve.js";
import { oneCache } from "../../src/mrc/one-cache.js";
import { runRecord } from "../../src/run-record.js";
import { decodeOracleGeneral } from "../../src/traces/formats/oracle-general.js";
import { withUnitPages, type Trace } from "../../src/traces/trace.js";
import { SAMPLE_ALL, StackDistanceKernel } from "../../src/wasm/stack-distances.js";
import { naiveStackDistances, shardsHash } from "../reference/naive-stack-distances.js";

const kernel = new StackDistanceKernel();
const replayMisses = (trace: Trace, size: number): number => runRecord({ scenario: oneCache(size), trace, policy: "lru" }).metrics.misses;
const trace = (accesses: readonly number[], weights: readonly number[]): Trace =>
  ({ name: "prop", numPages: weights.length, accesses: Int32Array.from(accesses), pageBytes: Int32Array.from(weights) });
/** Misses at `size` from stack distances: first accesses (0) and distances beyond the size. */
const missesFrom = (distances: readonly number[], size: number): number => distances.filter((d) => d === 0 || d > size).length;

// Long traces over few pages renumber the positions many times (every 64 accesses at least).
const unitCase = fc.record({
  pages: fc.integer({ min: 1, max: 40 }),
  accesses: fc.array(fc.nat(), { minLength: 0, maxLength: 1500 }),
});
const sizedCase = fc.record({
  weights: fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 30 }),
  accesses: fc.array(fc.nat(), { minLength: 0, maxLength: 800 }),
  sizes: fc.uniqueArray(fc.integer({ min: 50, max: 1500 }), { minLength: 1, maxLength: 8 }).map((s) => s.sort((a, b) => a - b)),
});

describe("the one-pass LRU curve", () => {
  it("equals an LRU replay at 50 sizes from 1 object to all of them, on libCacheSim's CloudPhysics sample", () => {
    const cp = withUnitPages(decodeOracleGeneral(readFileSync("tests/fixtures/libcachesim/cloudPhysicsIO.oracleGeneral.bin"), "cloudPhysicsIO"));
    const objects = 48_974;
    // Geometric from 1, so small caches are as well covered as large ones; the last holds everything.
    const sizes = [...new Set(Array.from({ length: 50 }, (_, i) => Math.round(objects ** (i / 49))))];
    expect(sizes.length).toBeGreaterThanOrEqual(45);
    const curve = lruStackCurve(cp, sizes, undefined, kernel);
    expect(curve.map((p) => p.misses)).toEqual(sizes.map((s) => replayMisses(cp, s)));
    expect(curve.at(-1)!.misses).toBe(objects);
  });

  it("equals an LRU replay at every size, on random traces", () => {
    fc.assert(fc.property(unitCase, ({ pages, accesses }) => {
      const t = withUnitPages(trace(accesses.map((a) => a % pages), new Array<number>(pages).fill(1)));
      const sizes = Array.from({ length: pages + 1 }, (_, i) => i + 1);
      expect(lruStackCurve(t, sizes, undefined, kernel).map((p) => p.misses)).toEqual(sizes.map((s) => replayMisses(t, s)));
    }), { numRuns: 40, seed: 20261207 });
  });

  it("with sizes, counts byte stack distances exactly, and never misses more than a replay", () => {
    fc.assert(fc.property(sizedCase, ({ weights, accesses, sizes }) => {
      const pages = accesses.map((a) => a % weights.length);
      const t = trace(pages, weights);
      const distances = naiveStackDistances(pages, weights);
      const curve = lruStackCurve({ ...t, weights: t.pageBytes }, sizes, undefined, kernel);
      expect(curve.map((p) => p.misses)).toEqual(sizes.map((s) => missesFrom(distances, s)));
      curve.forEach((p) => expect(p.misses).toBeLessThanOrEqual(replayMisses(t, p.size)));
    }), { numRuns: 80, seed: 20261207 });
  });

  it("with pages all of one size, equals a replay (LRU is then a stack algorithm again)", () => {
    fc.assert(fc.property(unitCase, fc.integer({ min: 1, max: 9 }), ({ pages, accesses }, bytes) => {
      const t = trace(accesses.map((a) => a % pages), new Array<number>(pages).fill(bytes));
      const sizes = Array.from({ length: pages + 1 }, (_, i) => (i + 1) * bytes + (i % bytes));
      expect(lruStackCurve({ ...t, weights: t.pageBytes }, sizes, undefined, kernel).map((p) => p.misses)).toEqual(sizes.map((s) => replayMisses(t, s)));
    }), { numRuns: 25, seed: 20261207 });
  });
});

describe("SHARDS", () => {
  it("keeps every page at rate 1: the exact curve", () => {
    const t = withUnitPages(trace([0, 1, 2, 0, 3, 1, 0, 2], [1, 1, 1, 1]));
    expect(shardsThreshold(1)).toBe(SAMPLE_ALL);
    expect(lruStackCurve(t, [1, 2, 3], 1, kernel)).toEqual(lruStackCurve(t, [1, 2, 3], undefined, kernel));
  });

  it("is the exact pass over the pages whose hash is under the threshold, scaled by 1/R, with SHARDS-adj", () => {
    fc.assert(fc.property(sizedCase, fc.double({ min: 0.05, max: 0.9, noNaN: true }), fc.boolean(), ({ weights, accesses, sizes }, asked, unit) => {
      const w = unit ? weights.map(() => 1) : weights;
      const pages = accesses.map((a) => a % w.length);
      const threshold = shardsThreshold(asked);
      const rate = threshold / SAMPLE_ALL;
      const kept = pages.filter((p) => shardsHash(p) < threshold);
      // A sampled distance: the page's own weight, then the others' scaled up by 1/R.
      const own = naiveStackDistances(kept, w).map((d, i) => (d === 0 ? 0 : w[kept[i]!]! + (d - w[kept[i]!]!) * (SAMPLE_ALL / threshold)));
      const t = trace(pages, w);
      const curve = lruStackCurve(unit ? withUnitPages(t) : { ...t, weights: t.pageBytes }, sizes, asked, kernel);
      sizes.forEach((size, k) => {
        const sampledMisses = own.filter((d) => d === 0 || d > size).length;
        const ratio = pages.length ? Math.min(1, sampledMisses / (pages.length * rate)) : 0;
        expect(curve[k]!.missRatio).toBeCloseTo(ratio, 12);
        expect(curve[k]!.misses).toBe(Math.round(ratio * pages.length));
      });
    }), { numRuns: 80, seed: 20261207 });
  });
});
