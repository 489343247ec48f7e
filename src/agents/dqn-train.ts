import type * as TF from "@tensorflow/tfjs";
import { KvsimInputError } from "../errors.js";
import type { Env } from "../envs/spaces.js";
import { PythonRandom } from "../workloads/python-random.js";
import { actionFeaturesOf, actionRows } from "./action-rows.js";
import { qValues, type DqnFile } from "./dqn-agent.js";
import { argmax, type MlpWeights } from "./mlp.js";

export interface DqnConfig {
  steps: number;
  seed: number;
  hidden: number[];
  learningRate: number;
  gamma: number;
  batchSize: number;
  replaySize: number;
  /** Transitions collected before learning starts. */
  warmup: number;
  /** One gradient step every this many env steps. */
  trainEvery: number;
  /** The target network copies the online one every this many gradient steps. */
  targetEvery: number;
  /** The acting copy of the online weights (plain arrays) is refreshed every this many gradient steps. */
  syncEvery: number;
  /** ε decays linearly from 1 to `epsilonEnd` over this share of the steps. */
  epsilonFraction: number;
  epsilonEnd: number;
  /** Rewards are multiplied by this, then clipped to ±10, for learning only. */
  rewardScale: number;
  /**
   * `joint`: the network maps the whole observation to every action's value. `per-action`: it
   * scores each action from the action's own block and the shared values, one set of weights for
   * all (the env must declare `actionFeatures`; action-rows.ts).
   */
  qNetwork: "joint" | "per-action";
}

export const DQN_DEFAULTS: Omit<DqnConfig, "steps" | "seed"> = {
  hidden: [64, 64], learningRate: 1e-3, gamma: 0.99, batchSize: 64, replaySize: 50_000, warmup: 1_000, trainEvery: 4, targetEvery: 250, syncEvery: 25,
  epsilonFraction: 0.5, epsilonEnd: 0.05, rewardScale: 0.1, qNetwork: "joint",
};

export interface TrainProgress {
  step: number;
  episodes: number;
  lastScore?: number;
}

type Scored = Env<number[], number> & { score(): number };

/**
 * TensorFlow.js on its WebAssembly backend: about 4× faster than the pure-JS CPU backend on this
 * network's updates (`npm run bench:dqn`), and it runs in browsers too.
 * tfjs's advice to install tfjs-node (a native download, not available here) is silenced.
 */
async function loadTf(): Promise<typeof TF> {
  const log = console.log;
  const warn = console.warn;
  const quiet = (print: typeof console.log) => (...args: unknown[]) => {
    if (!String(args[0]).includes("TensorFlow.js in Node.js") && !String(args[0]).startsWith("=====")) print(...args);
  };
  console.log = quiet(log);
  console.warn = quiet(warn);
  try {
    const tf = await import("@tensorflow/tfjs");
    await import("@tensorflow/tfjs-backend-wasm");
    await tf.setBackend("wasm");
    await tf.ready();
    return tf;
  } finally {
    console.log = log;
    console.warn = warn;
  }
}

/**
 * Double DQN (van Hasselt et al., 2016) with a periodically copied target network and Huber loss,
 * on TensorFlow.js's CPU backend (pure JavaScript: the same code trains in a browser). Actions are
 * chosen with a plain-array copy of the online network refreshed every few gradient steps, because
 * a tensor round trip per environment step would cost more than the step. Every random choice
 * (initial weights, ε-greedy, replay sampling, episode seeds) follows `seed`, so a run repeats.
 */
export async function trainDqn(env: Scored, envId: string, config: DqnConfig, onProgress?: (p: TrainProgress) => void): Promise<DqnFile> {
  const tf = await loadTf();
  const obsDim = env.observationSpace.type === "Box" ? env.observationSpace.shape[0] : 1;
  const actions = env.actionSpace.n;
  const rng = new PythonRandom(config.seed);
  const layout = config.qNetwork === "per-action" ? actionFeaturesOf(env) : undefined;
  if (config.qNetwork === "per-action" && (!layout || layout.perAction * actions + layout.shared !== obsDim)) {
    throw new KvsimInputError(`${envId} has no observation of one block per action (actionFeatures): train it with --q-network joint`);
  }
  const inputDim = layout ? layout.perAction + layout.shared : obsDim;
  const build = (seedOffset: number) => {
    const model = tf.sequential();
    config.hidden.forEach((units, i) => model.add(tf.layers.dense({
      units, activation: "relu", inputShape: i === 0 ? [inputDim] : undefined,
      kernelInitializer: tf.initializers.glorotUniform({ seed: config.seed + seedOffset + i }),
    })));
    model.add(tf.layers.dense({ units: layout ? 1 : actions, kernelInitializer: tf.initializers.glorotUniform({ seed: config.seed + seedOffset + 99 }) }));
    return model;
  };
  /** Every action's value in each of `n` states: the joint network's outputs, or the per-action network's, one row per action. */
  const values = (model: TF.Sequential, states: Float32Array, n: number): TF.Tensor2D => {
    if (!layout) return model.predict(tf.tensor2d(states, [n, obsDim])) as TF.Tensor2D;
    const rows = actionRows(states, n, actions, layout, new Float32Array(n * actions * inputDim));
    return (model.predict(tf.tensor2d(rows, [n * actions, inputDim])) as TF.Tensor2D).reshape([n, actions]);
  };
  const online = build(0);
  const target = build(0);
  target.setWeights(online.getWeights());
  const optimizer = tf.train.adam(config.learningRate);

  // Replay memory in flat typed arrays.
  const cap = config.replaySize;
  const states = new Float32Array(cap * obsDim);
  const nexts = new Float32Array(cap * obsDim);
  const acts = new Int32Array(cap);
  const rewards = new Float32Array(cap);
  /** 0 where the transition ended the episode inside the MDP (`terminated`), else 1. */
  const continues = new Float32Array(cap);
  let size = 0;
  let cursor = 0;

  const snapshot = (): MlpWeights => ({
    layers: online.layers.map((layer) => {
      const [kernel, bias] = layer.getWeights();
      return { kernel: kernel!.arraySync() as number[][], bias: bias!.arraySync() as number[] };
    }),
  });
  let acting = snapshot();
  let updates = 0;

  const learn = (): void => {
    const n = config.batchSize;
    const s = new Float32Array(n * obsDim);
    const s2 = new Float32Array(n * obsDim);
    const a = new Int32Array(n);
    const r = new Float32Array(n);
    const c = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const k = rng.randbelow(size);
      s.set(states.subarray(k * obsDim, (k + 1) * obsDim), i * obsDim);
      s2.set(nexts.subarray(k * obsDim, (k + 1) * obsDim), i * obsDim);
      a[i] = acts[k]!;
      r[i] = rewards[k]!;
      c[i] = continues[k]!;
    }
    tf.tidy(() => {
      const mask = tf.oneHot(tf.tensor1d(a, "int32"), actions);
      // Double DQN: the online net picks the next action, the target net values it. A terminal
      // transition has no next value; one cut by a time limit (truncated) still bootstraps.
      const bestNext = values(online, s2, n).argMax(1);
      const nextValue = values(target, s2, n).mul(tf.oneHot(bestNext, actions)).sum(1);
      const y = tf.tensor1d(r).add(nextValue.mul(tf.tensor1d(c)).mul(config.gamma));
      optimizer.minimize(() => tf.losses.huberLoss(y, values(online, s, n).mul(mask).sum(1)) as TF.Scalar);
    });
    updates++;
    if (updates % config.targetEvery === 0) target.setWeights(online.getWeights());
    if (updates % config.syncEvery === 0) acting = snapshot();
  };

  const curve: DqnFile["curve"] = [];
  let episode = 0;
  let obs = env.reset({ seed: config.seed * 1000 + episode }).observation;
  let episodeReturn = 0;
  const decaySteps = Math.max(1, config.steps * config.epsilonFraction);
  for (let step = 0; step < config.steps; step++) {
    const epsilon = Math.max(config.epsilonEnd, 1 - (1 - config.epsilonEnd) * step / decaySteps);
    const action = rng.random() < epsilon ? rng.randbelow(actions) : argmax(qValues(acting, obs, actions, layout));
    const r = env.step(action);
    episodeReturn += r.reward;
    states.set(obs, cursor * obsDim);
    nexts.set(r.observation, cursor * obsDim);
    acts[cursor] = action;
    rewards[cursor] = Math.max(-10, Math.min(10, r.reward * config.rewardScale));
    continues[cursor] = r.terminated ? 0 : 1;
    cursor = (cursor + 1) % cap;
    size = Math.min(cap, size + 1);
    obs = r.observation;
    if (size >= config.warmup && step % config.trainEvery === 0) learn();
    if (r.terminated || r.truncated) {
      curve.push({ episode, step: step + 1, score: env.score(), return: episodeReturn });
      onProgress?.({ step: step + 1, episodes: curve.length, lastScore: env.score() });
      episode++;
      episodeReturn = 0;
      obs = env.reset({ seed: config.seed * 1000 + episode }).observation;
    }
  }
  const weights = snapshot();
  online.dispose();
  target.dispose();
  return {
    kind: "kvsim-dqn", env: envId, observation: obsDim, actions, hidden: config.hidden, steps: config.steps, seed: config.seed,
    weights, ...(layout ? { perAction: layout } : {}), curve,
  };
}
