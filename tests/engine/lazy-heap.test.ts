import { afterAll, describe, expect, it } from "vitest";
import { TestHierarchyEngine } from "../helpers/test-build.js";

// The policies reach only some of the lazy heaps' states (lfu's sorted runs never hold
// overlapping keys, no policy lowers and puts back in one heap), so a randomized check inside
// WebAssembly drives them directly: inserts into random runs or exact lanes, lazy rises, lowers,
// lane moves, removals, demotions and excluded-top put-backs, every victim compared with the
// brute-force least (score, insert order).
const engine = new TestHierarchyEngine();

describe("lazy heaps against brute force", () => {
  afterAll(() => engine.setArrivalLimit(0));

  it.each([0, 1, 3, 8])("%i sorted runs per heap: every victim is the least page", (runs) => {
    for (const seed of [1, 2, 3]) {
      const { mismatches, checks } = engine.checkLazyHeaps(seed, 64, 3, runs, 20_000, 0);
      expect(mismatches).toBe(0);
      expect(checks).toBeGreaterThan(5_000);
    }
  });

  it.each([1, 4, 32])("%i exact lanes per heap: every victim is the least page", (lanes) => {
    // 8 pages in 2 heaps as well: equal keys then meet at a lane's head often enough to check ties.
    for (const [pages, heaps] of [[64, 3], [8, 2]]) {
      for (const seed of [1, 2, 3]) {
        const { mismatches, checks } = engine.checkLazyHeaps(seed, pages, heaps, 0, 20_000, lanes);
        expect(mismatches).toBe(0);
        expect(checks).toBeGreaterThan(5_000);
      }
    }
  });

  it("stays exact while arrivals are renumbered every 5 inserts", () => {
    engine.setArrivalLimit(5);
    for (const [seed, runs, lanes] of [[4, 3, 0], [5, 0, 4]] as const) {
      const { mismatches, checks } = engine.checkLazyHeaps(seed, 64, 3, runs, 20_000, lanes);
      expect(mismatches).toBe(0);
      expect(checks).toBeGreaterThan(5_000);
    }
  });
});
