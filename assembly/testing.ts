/**
 * The test build (`build/kvsim.test.wasm`, asconfig target `test`): the release engine's whole ABI
 * plus hooks that only tests call. They stay out of `build/kvsim.wasm`, so the shipped engine
 * exports only its public ABI; the build's options are the release's, so the code under test is
 * the code that ships.
 */
import * as engine from "./hierarchy/engine";
import { Stream } from "./util/rng";

export * from "./index";

/** 0 replays lru, fifo and windowed_recency-as-LRU through the general loop, to compare the two. */
export function allowQueueReplay(allowed: i32): void { engine.allowQueueReplay(allowed != 0); }

/** The `ReplayLoop` the current run replays with. */
export function replayLoop(): i32 { return engine.replayLoop(); }

/** Heaps renumber their arrivals after `limit` inserts instead of 2^31 (0: the default). */
export { setArrivalLimit } from "./util/lazy-heap";

/** Random heap operations checked against brute force, and the victims the last check compared. */
export { checkLazyHeaps, lazyHeapChecks } from "./util/lazy-heap-check";

/**
 * `count` standard normal deviates from the traffic sampler (a Stream's ziggurat) for `seed`,
 * written to a fresh arena buffer whose address is returned, so that tests can check the
 * distribution the serving traffic draws from. Call after resetArena.
 */
export function sampleNormals(seed: f64, count: i32): usize {
  const out = new StaticArray<f64>(count);
  const stream = new Stream(<u64>seed, 0);
  for (let i = 0; i < count; i++) unchecked(out[i] = stream.normal(0.0, 1.0));
  return changetype<usize>(out);
}
