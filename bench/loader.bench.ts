/**
 * `npm run bench:loader`: why the facades call the engine's raw functions. The same serving steps
 * (NeuralPagedAttention-sized easy, five crossings a step, as `ServingEnv.step` makes) through the
 * functions `@assemblyscript/loader` returns, which wrap each export in a rest-argument call, and
 * through the instance's raw exports, alternated round by round; medians of 7 rounds.
 */
import { instantiateSync } from "@assemblyscript/loader";
import { TrafficShape } from "../assembly/abi/serving.js";
import { policyInfo } from "../src/policies/registry.js";
import { servingModule } from "../src/wasm/instance.js";
import { median } from "./median.js";

type Steps = Record<"servingStep" | "servingReward" | "servingTick" | "servingScore" | "servingDone" | "servingReset", (...args: number[]) => number>;

function engine(): { wrapped: Steps; raw: Steps } {
  const { exports, instance } = instantiateSync<Record<string, unknown>>(servingModule(), {});
  const setup = instance.exports.servingSetup as (...args: number[]) => void;
  (instance.exports.paramsBuffer as (length: number) => number)(0); // lru has no parameters
  setup(1000, 2000, 16, 3000, 12, 5, 0.1, 0.05, TrafficShape.flat, 200, 100, 100, 50, 0.3, 12800, 2048, policyInfo("lru").id);
  return { wrapped: exports as unknown as Steps, raw: instance.exports as unknown as Steps };
}

function rate(f: Steps, steps: number): number {
  f.servingReset(1, 1);
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) {
    f.servingStep(i % 9);
    f.servingReward();
    f.servingTick();
    f.servingScore();
    if (f.servingDone()) f.servingReset(1, 1);
  }
  return steps / ((performance.now() - t0) / 1000);
}

const a = engine();
const b = engine();
rate(a.wrapped, 100_000);
rate(b.raw, 100_000);
const wrapped: number[] = [];
const raw: number[] = [];
for (let round = 0; round < 7; round++) {
  wrapped.push(rate(a.wrapped, 300_000));
  raw.push(rate(b.raw, 300_000));
}
console.log(`serving steps/s, median of 7 rounds: loader-wrapped ${(median(wrapped) / 1e3).toFixed(0)}K, raw ${(median(raw) / 1e3).toFixed(0)}K, raw ÷ wrapped ${(median(raw) / median(wrapped)).toFixed(3)}`);
