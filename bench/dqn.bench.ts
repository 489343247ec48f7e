/**
 * `npm run bench:dqn`: milliseconds per DQN gradient step (batch 64, the default 16 → 64 → 64 → 9
 * network, the trainer's Huber loss with Adam) on TensorFlow.js's pure-JS CPU backend and its
 * WebAssembly backend, the choice `src/agents/dqn-train.ts` makes. Medians of 5 rounds of 200 steps;
 * writes bench/results/dqn.json.
 */
import { writeFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { median } from "./median.js";

const ROUNDS = 5;
const STEPS = 200;

async function msPerStep(backend: string): Promise<number> {
  await tf.setBackend(backend);
  await tf.ready();
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 64, activation: "relu", inputShape: [16] }));
  model.add(tf.layers.dense({ units: 64, activation: "relu" }));
  model.add(tf.layers.dense({ units: 9 }));
  const optimizer = tf.train.adam(1e-3);
  const states = tf.randomNormal([64, 16], 0, 1, "float32", 1);
  const targets = tf.randomNormal([64], 0, 1, "float32", 2);
  const mask = tf.oneHot(tf.zeros([64], "int32") as tf.Tensor1D, 9);
  const step = () => tf.tidy(() => {
    model.predict(states); // the trainer's two extra forward passes (online and target on next states)
    model.predict(states);
    optimizer.minimize(() => tf.losses.huberLoss(targets, (model.predict(states) as tf.Tensor2D).mul(mask).sum(1)) as tf.Scalar);
  });
  for (let i = 0; i < 20; i++) step();
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < STEPS; i++) step();
    rounds.push((performance.now() - t0) / STEPS);
  }
  model.dispose();
  return median(rounds);
}

const cpu = await msPerStep("cpu");
const wasm = await msPerStep("wasm");
writeFileSync("bench/results/dqn.json", JSON.stringify({ date: new Date().toISOString(), node: process.version, msPerStep: { cpu, wasm }, speedup: cpu / wasm }, null, 2) + "\n");
console.log(`| tfjs backend | ms per gradient step (batch 64) |\n|---|---:|\n| cpu (pure JS) | ${cpu.toFixed(2)} |\n| wasm | ${wasm.toFixed(2)} (${(cpu / wasm).toFixed(1)}× faster) |`);
console.log("wrote bench/results/dqn.json");
