/**
 * `npm run bench:serving`: environment steps per second through the public `step()` API with the
 * random agent on each task of the default and npa presets (episodes restarted as they end),
 * ticks per second of the default preset with its built-in scheduler running inside WASM, and the
 * Mooncake prefix replay. Medians of 5 rounds; writes bench/results/serving.json.
 */
import { writeFileSync } from "node:fs";
import { makeAgent } from "../src/agents/registry.js";
import { makeDiscrete } from "../src/envs/registry.js";
import { NPA_TASKS } from "../src/envs/serving/npa/constants.js";
import { ServingEnv } from "../src/envs/serving/serving-env.js";
import type { Env } from "../src/envs/spaces.js";
import { prefixReplay } from "../src/serving/prefix-replay.js";
import { readMooncakeTrace } from "../src/traces/formats/mooncake.js";
import { median } from "./median.js";

const ROUNDS = 5;
const STEPS = 200_000;
const NPA_TICKS_PER_SECOND = 6000; // NeuralPagedAttention's best measured rate (its spec: 2,400–6,000)

/** NeuralPagedAttention's own hardware (1,000 / 5,000 blocks, 12 sequences, 5 tokens a tick), for a like-for-like rate. */
const NPA_SIZED = { gpuBlocks: 1000, cpuBlocks: 5000, batchLimit: 12, tokensPerTick: 5 };

function stepsPerSecond(makeEnv: () => Env<number[], number>, seed: number): number {
  const env = makeEnv();
  const agent = makeAgent("random", env);
  let { observation } = env.reset({ seed });
  agent.reset(seed);
  const t0 = performance.now();
  for (let i = 0; i < STEPS; i++) {
    const r = env.step(agent.act(observation));
    observation = r.observation;
    if (r.terminated || r.truncated) {
      seed++;
      observation = env.reset({ seed }).observation;
      agent.reset(seed);
    }
  }
  return STEPS / ((performance.now() - t0) / 1000);
}

/** Whole episodes of the built-in scheduler inside WASM: one boundary crossing per episode. */
function schedulerTicksPerSecond(task: "easy" | "medium" | "hard", sized: object = {}): number {
  const env = new ServingEnv({ task, ...sized });
  let ticks = 0;
  const t0 = performance.now();
  for (let seed = 0; ticks < STEPS; seed++) {
    env.reset({ seed });
    ticks += env.runScheduler(1 << 30);
  }
  return ticks / ((performance.now() - t0) / 1000);
}

const rows: Record<string, number> = {};
const scheduler: Record<string, number> = {};
for (const task of NPA_TASKS) {
  const envs: Record<string, () => Env<number[], number>> = {
    [`kvsim/Serving-${task}-v0`]: () => makeDiscrete(`kvsim/Serving-${task}-v0`),
    [`kvsim/Serving-${task}-v0, NeuralPagedAttention-sized`]: () => new ServingEnv({ task, ...NPA_SIZED }),
    [`kvsim/Serving-npa-${task}-v0`]: () => makeDiscrete(`kvsim/Serving-npa-${task}-v0`),
  };
  for (const [name, makeEnv] of Object.entries(envs)) {
    stepsPerSecond(makeEnv, 1); // warm-up
    rows[name] = median(Array.from({ length: ROUNDS }, (_, r) => stepsPerSecond(makeEnv, 100 * r)));
  }
  schedulerTicksPerSecond(task);
  scheduler[task] = median(Array.from({ length: ROUNDS }, () => schedulerTicksPerSecond(task)));
  scheduler[`${task}, NeuralPagedAttention-sized`] = median(Array.from({ length: ROUNDS }, () => schedulerTicksPerSecond(task, NPA_SIZED)));
}
const trace = await readMooncakeTrace("tests/fixtures/mooncake/synthetic_trace.jsonl");
const prefixMs = median(Array.from({ length: ROUNDS }, () => {
  const t0 = performance.now();
  prefixReplay({ trace, capacityBlocks: 6000, policy: "lru" });
  return performance.now() - t0;
}));

const out = {
  date: new Date().toISOString(), node: process.version, stepsPerRound: STEPS, rounds: ROUNDS,
  stepsPerSecond: rows, schedulerTicksPerSecondInWasm: scheduler, npaReferenceTicksPerSecond: NPA_TICKS_PER_SECOND, prefixReplayMs: prefixMs,
};
writeFileSync("bench/results/serving.json", JSON.stringify(out, null, 2) + "\n");
console.log("| case | figure |\n|---|---:|");
for (const [id, rate] of Object.entries(rows)) {
  console.log(`| ${id}, random agent, step() | ${(rate / 1000).toFixed(0)}K steps/s (${(rate / NPA_TICKS_PER_SECOND).toFixed(0)}× NeuralPagedAttention's 6,000) |`);
}
for (const [task, rate] of Object.entries(scheduler)) {
  console.log(`| kvsim/Serving ${task}, built-in scheduler inside WASM | ${(rate / 1000).toFixed(0)}K ticks/s (${(rate / NPA_TICKS_PER_SECOND).toFixed(0)}×) |`);
}
console.log(`| Mooncake prefix replay, 6,000 blocks, lru (replay only) | ${prefixMs.toFixed(0)} ms |`);
console.log("wrote bench/results/serving.json");
