/**
 * `npm run bench:agentic`: scripted-policy evaluation of the agentic tool-calling env, in episodes
 * per second on one thread (15 turns each, scoring included, no transcript), per built-in policy,
 * and the same through the Gymnasium-style AgenticEnv. Medians of 5 rounds; writes
 * bench/results/agentic.json. The project's target: ≥ 10,000 episodes/s for scripted policies.
 */
import { writeFileSync } from "node:fs";
import { AGENTIC_POLICIES, makeAgenticPolicy } from "../src/envs/agentic/policies/registry.js";
import { playScripted } from "../src/envs/agentic/rollout.js";
import { loadEnvironment } from "../src/envs/agentic/scenario.js";
import { make } from "../src/envs/registry.js";
import { median } from "./median.js";

const ROUNDS = 5;
const EPISODES = 6000;
const rows = loadEnvironment({ numExamples: EPISODES, seed: 2026 });

function policyEpisodesPerSecond(name: string): number {
  const policy = makeAgenticPolicy(name);
  const t0 = performance.now();
  let sink = 0;
  for (const row of rows) sink += playScripted(row, policy).reward;
  if (!Number.isFinite(sink)) throw new Error("non-finite reward");
  return rows.length / ((performance.now() - t0) / 1000);
}

/** A fixed action (compress the top candidate, keep) through reset()/step(), observation vectors included. */
function envEpisodesPerSecond(): number {
  const env = make("kvsim/Agentic-v0");
  const episodes = EPISODES / 2;
  const t0 = performance.now();
  for (let seed = 0; seed < episodes; seed++) {
    env.reset({ seed });
    for (let done = false; !done;) done = env.step([[1, 0], [3, 0]]).truncated;
  }
  return episodes / ((performance.now() - t0) / 1000);
}

const results: Record<string, number> = {};
for (const name of Object.keys(AGENTIC_POLICIES)) {
  policyEpisodesPerSecond(name); // warm-up
  results[name] = median(Array.from({ length: ROUNDS }, () => policyEpisodesPerSecond(name)));
}
envEpisodesPerSecond();
results["AgenticEnv step()"] = median(Array.from({ length: ROUNDS }, envEpisodesPerSecond));

writeFileSync("bench/results/agentic.json", JSON.stringify({
  date: new Date().toISOString(), node: process.version, episodesPerRound: EPISODES, rounds: ROUNDS, episodesPerSecond: results,
}, null, 2) + "\n");
console.log("| player | episodes/s (one thread) |\n|---|---:|");
for (const [name, rate] of Object.entries(results)) console.log(`| ${name} | ${Math.round(rate).toLocaleString("en-US")} |`);
