import { afterAll, describe, expect, it } from "vitest";
import { instantiateEngine } from "../../src/wasm/engine-module.js";

// The policies reach only some of the lazy heaps' states (lfu's sorted runs never hold
// overlapping keys, no policy lowers and puts back in one heap), so a randomized check inside
// WebAssembly drives them directly: inserts into random runs, lazy rises, lowers, removals and
// excluded-top put-backs, every victim compared with the brute-force least (score, insert order).
const engine = instantiateEngine();

describe("lazy heaps against brute force", () => {
  afterAll(() => engine.setArrivalLimit(0));

  it.each([0, 1, 3, 8])("%i sorted runs per heap: every victim is the least page", (runs) => {
    for (const seed of [1, 2, 3]) {
      engine.resetArena();
      expect(engine.checkLazyHeaps(seed, 64, 3, runs, 20_000)).toBe(0);
      expect(engine.lazyHeapChecks()).toBeGreaterThan(5_000);
    }
  });

  it("stays exact while arrivals are renumbered every 5 inserts", () => {
    engine.setArrivalLimit(5);
    engine.resetArena();
    expect(engine.checkLazyHeaps(4, 64, 3, 3, 20_000)).toBe(0);
    expect(engine.lazyHeapChecks()).toBeGreaterThan(5_000);
  });
});
