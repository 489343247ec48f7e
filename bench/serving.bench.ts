/**
 * `npm run bench:serving`: environment steps per second through the public `step()` API with the
 * random agent on each task of the npa preset (episodes restarted as they end), and the Mooncake
 * prefix replay. Medians of 5 rounds; writes bench/results/serving.json.
 */
import { writeFileSync } from "node:fs";
import { makeAgent } from "../src/agents/registry.js";
import { make } from "../src/envs/registry.js";
import { NPA_TASKS } from "../src/envs/serving/npa/constants.js";
import { prefixReplay } from "../src/serving/prefix-replay.js";
import { readMooncakeTrace } from "../src/traces/formats/mooncake.js";

const ROUNDS = 5;
const STEPS = 200_000;
const NPA_TICKS_PER_SECOND = 6000; // NeuralPagedAttention's best measured rate (its spec: 2,400–6,000)

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function stepsPerSecond(task: string, seed: number): number {
  const env = make(`kvsim/Serving-npa-${task}-v0`);
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

const rows: Record<string, number> = {};
for (const task of NPA_TASKS) {
  stepsPerSecond(task, 1); // warm-up
  rows[task] = median(Array.from({ length: ROUNDS }, (_, r) => stepsPerSecond(task, 100 * r)));
}
const trace = await readMooncakeTrace("tests/fixtures/mooncake/synthetic_trace.jsonl");
const prefixMs = median(Array.from({ length: ROUNDS }, () => {
  const t0 = performance.now();
  prefixReplay({ trace, capacityBlocks: 6000, policy: "lru" });
  return performance.now() - t0;
}));

const out = {
  date: new Date().toISOString(), node: process.version, stepsPerRound: STEPS, rounds: ROUNDS,
  npaStepsPerSecond: rows, npaReferenceTicksPerSecond: NPA_TICKS_PER_SECOND, prefixReplayMs: prefixMs,
};
writeFileSync("bench/results/serving.json", JSON.stringify(out, null, 2) + "\n");
console.log("| case | figure |\n|---|---:|");
for (const task of NPA_TASKS) {
  console.log(`| npa ${task}, random agent, step() | ${(rows[task]! / 1000).toFixed(0)}K steps/s (${(rows[task]! / NPA_TICKS_PER_SECOND).toFixed(0)}× NeuralPagedAttention's 6,000) |`);
}
console.log(`| Mooncake prefix replay, 6,000 blocks, lru (replay only) | ${prefixMs.toFixed(0)} ms |`);
console.log("wrote bench/results/serving.json");
