/**
 * The test build of the serving engine (`build/kvsim-serving.test.wasm`, asconfig target
 * `serving-test`): its release ABI plus the hooks only tests call (testing.ts says why apart).
 */
export * from "./serving-index";

/** Heaps renumber their arrivals after `limit` inserts instead of 2^31 (0: the default). */
export { setArrivalLimit } from "./util/lazy-heap";
