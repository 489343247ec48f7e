import { sweepInMemory } from "../sweep/sweep-in-memory.js";
import { missRatioCurvesWith, type MissRatioCurveOptions, type MissRatioCurves } from "./curves.js";

/**
 * Miss-ratio curves of a trace for every policy at every cache size (docs/mrc.md): LRU in one pass
 * over its stack distances (or SHARDS-sampled), every other policy by one replay per size on
 * worker threads. The same results for any thread count.
 */
export function missRatioCurves(options: MissRatioCurveOptions): Promise<MissRatioCurves> {
  return missRatioCurvesWith(options, sweepInMemory);
}
