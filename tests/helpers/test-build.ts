import type { instantiate as testBindings } from "../../build/kvsim.test.js";
import type { instantiate as servingTestBindings } from "../../build/kvsim-serving.test.js";
import { BlockPool, type BlockPoolConfig } from "../../src/wasm/block-pool.js";
import { HierarchyEngine, type ReplayLoop } from "../../src/wasm/hierarchy.js";
import { compileBuildFile, exportsOf, view } from "../../src/wasm/instance.js";

/**
 * The test build of the engine (`build/kvsim.test.wasm`, assembly/testing.ts): the release ABI
 * plus hooks only tests call. Facades made from it behave as the release's, and these helpers
 * reach the hooks of the instance a facade owns.
 */
type TestExports = Awaited<ReturnType<typeof testBindings>>;

export const testModule = compileBuildFile("kvsim.test.wasm");
/** The serving engine's test build (`build/kvsim-serving.test.wasm`, assembly/serving-testing.ts). */
export const servingTestModule = compileBuildFile("kvsim-serving.test.wasm");
type ServingTestExports = Awaited<ReturnType<typeof servingTestBindings>>;

const hooks = (facade: object): TestExports => exportsOf(facade) as unknown as TestExports;

/** A hierarchy engine of the test build, with its hooks. */
export class TestHierarchyEngine extends HierarchyEngine {
  constructor() {
    super(testModule);
  }

  /** false replays lru, fifo and windowed_recency-as-LRU through the general loop. */
  allowQueueReplay(allowed: boolean): void {
    hooks(this).allowQueueReplay(allowed ? 1 : 0);
  }

  /** The loop the last run replayed with. */
  replayLoop(): ReplayLoop {
    return hooks(this).replayLoop();
  }

  /** Heaps renumber their arrivals after `limit` inserts instead of 2^31 (0: the default). */
  setArrivalLimit(limit: number): void {
    hooks(this).setArrivalLimit(limit);
  }

  /**
   * Random heap operations checked against brute force (assembly/util/lazy-heap-check.ts), with
   * `runs` sorted runs or `lanes` exact lanes per heap: the mismatches and the victims compared.
   */
  checkLazyHeaps(seed: number, pages: number, heaps: number, runs: number, ops: number, lanes: number): { mismatches: number; checks: number } {
    const w = hooks(this);
    w.resetArena();
    const mismatches = w.checkLazyHeaps(seed, pages, heaps, runs, ops, lanes);
    return { mismatches, checks: w.lazyHeapChecks() };
  }

  /** `count` standard normal deviates of the serving traffic's sampler for `seed`. */
  sampleNormals(seed: number, count: number): Float64Array {
    const w = hooks(this);
    w.resetArena();
    return view(w, Float64Array, w.sampleNormals(seed, count), count).slice();
  }
}

/** A block pool of the test build whose heaps renumber their arrivals after `arrivalLimit` inserts. */
export function renumberingBlockPool(config: BlockPoolConfig, arrivalLimit: number): BlockPool {
  const pool = new BlockPool(config, servingTestModule);
  exportsOf<ServingTestExports>(pool).setArrivalLimit(arrivalLimit);
  return pool;
}
