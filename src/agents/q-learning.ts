import type { Env } from "../envs/spaces.js";
import { PythonRandom } from "../workloads/python-random.js";
import type { Agent } from "./agent.js";
import { argmax } from "./mlp.js";
import { GreedyAgent, readTrained, type WeightsSource } from "./trained.js";

/**
 * Observation → small integer state. NeuralPagedAttention's QAgent buckets GPU use (< 0.8,
 * < 0.95, above) and flags queued VIP / free requests and idle VIP / free caches (with its
 * index bug fixed: ages at 18 and 15). The kvsim serving envs add growth pressure, swapped and
 * stalled requests.
 */
export function discretize(envId: string, o: readonly number[]): number {
  const gpu = o[0]! < 0.8 ? 0 : o[0]! < 0.95 ? 1 : 2;
  const bits = envId.includes("-npa-")
    ? [o[4]! > 0, o[3]! > 0, o[18]! > 0, o[15]! > 0]
    : [o[4]! > 0, o[3]! > 0, o[11]! > 0, o[10]! > 0, o[12]! > 0];
  return bits.reduce((s, b) => s * 2 + (b ? 1 : 0), gpu);
}

export const stateCount = (envId: string): number => 3 * 2 ** (envId.includes("-npa-") ? 4 : 5);

export interface QTableFile {
  kind: "kvsim-qtable";
  env: string;
  steps: number;
  seed: number;
  q: number[][];
  curve: { episode: number; step: number; score: number; return: number }[];
}

export interface QLearningConfig {
  steps: number;
  seed: number;
  alpha: number;
  gamma: number;
  epsilonEnd: number;
  epsilonFraction: number;
}

export const Q_DEFAULTS = { alpha: 0.1, gamma: 0.95, epsilonEnd: 0.05, epsilonFraction: 0.5 };

/** Tabular Q-learning (Watkins 1989), ε-greedy with linear decay, seeded. */
export function trainQLearning(env: Env<number[], number> & { score(): number }, envId: string, config: QLearningConfig,
  onEpisode?: (episode: number, step: number, score: number) => void): QTableFile {
  const actions = env.actionSpace.n;
  // Unvisited pairs start at -Infinity so that greedy play never prefers an action never tried
  // there over one that was (with zeros, the penalties of tried actions make untried ones look best).
  const q = Array.from({ length: stateCount(envId) }, () => new Array<number>(actions).fill(-Infinity));
  const rng = new PythonRandom(config.seed);
  const curve: QTableFile["curve"] = [];
  let episode = 0;
  let obs = env.reset({ seed: config.seed * 1000 }).observation;
  let total = 0;
  const decay = Math.max(1, config.steps * config.epsilonFraction);
  for (let step = 0; step < config.steps; step++) {
    const s = discretize(envId, obs);
    const epsilon = Math.max(config.epsilonEnd, 1 - (1 - config.epsilonEnd) * step / decay);
    const a = rng.random() < epsilon ? rng.randbelow(actions) : argmax(q[s]!);
    const r = env.step(a);
    total += r.reward;
    const s2 = discretize(envId, r.observation);
    const best = Math.max(...q[s2]!);
    const target = r.reward + (r.terminated || best === -Infinity ? 0 : config.gamma * best);
    q[s]![a] = q[s]![a] === -Infinity ? target : q[s]![a]! + config.alpha * (target - q[s]![a]!);
    obs = r.observation;
    if (r.terminated || r.truncated) {
      curve.push({ episode, step: step + 1, score: env.score(), return: total });
      onEpisode?.(episode, step + 1, env.score());
      episode++;
      total = 0;
      obs = env.reset({ seed: config.seed * 1000 + episode }).observation;
    }
  }
  // JSON has no -Infinity: unvisited pairs are written as null and read back as never chosen.
  return { kind: "kvsim-qtable", env: envId, steps: config.steps, seed: config.seed, q: q.map((row) => row.map((v) => (v === -Infinity ? null : v)) as number[]), curve };
}

export function readQTable(file: WeightsSource): QTableFile {
  return readTrained<QTableFile>(file, "kvsim-qtable", (d) => Array.isArray(d.q));
}

/** Plays greedily from a learned Q-table (unvisited pairs, stored as null, are never chosen). */
export const qTableAgent = (table: QTableFile): Agent =>
  new GreedyAgent("qlearning", (obs) => table.q[discretize(table.env, obs)]!.map((v) => v ?? -Infinity));
