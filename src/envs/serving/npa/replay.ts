import { KvsimInputError } from "../../../errors.js";
import { parseJsonText, readTextFile } from "../../../json-file.js";
import type { NpaTask } from "./constants.js";
import { NpaServingEnv } from "./npa-env.js";
import { RecordedTraffic, type Arrival } from "./traffic.js";

/** A recorded NeuralPagedAttention episode: actions plus every arrival, per step. */
export interface NpaRecording {
  reset: { obs: number[]; arrivals: Arrival[] };
  steps: { t: number; action: number; reward: number; done: boolean; obs: number[]; result: string; arrivals: Arrival[]; ctr: number[] }[];
  final?: { score: number; cumulative_reward: number };
}

export interface ReplayStep {
  t: number;
  action: number;
  reward: number;
  done: boolean;
  obs: number[];
  /** First `_`-separated word of the action's result, as the recordings store it. */
  result: string;
  ctr: number[];
}

type RawArrival = [string, string, number, number, number, string];

function toArrival(raw: RawArrival, where: string): Arrival {
  if (!Array.isArray(raw) || raw.length !== 6 || (raw[0] !== "free" && raw[0] !== "vip")) {
    throw new KvsimInputError(`${where}: an arrival must be [tier, user_type, is_returning, prompt, target, id]`);
  }
  return { tier: raw[0], userType: raw[1] === "power" ? "power" : "chatter", isReturning: raw[2] === 1, prompt: raw[3], gen: raw[4], id: String(raw[5]) };
}

/** Reads a recording (`scripted_*.jsonl`: a reset line, step lines, a final line). */
export function readNpaRecording(file: string): NpaRecording {
  const text = readTextFile(file);
  const recording: NpaRecording = { reset: { obs: [], arrivals: [] }, steps: [] };
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    const where = `${file}:${i + 1}`;
    const row = parseJsonText(line, where) as Record<string, unknown> | null;
    if (typeof row !== "object" || row === null || Array.isArray(row)) throw new KvsimInputError(`${where}: expected a JSON object (a reset, step or final line)`);
    if (row.arrivals !== undefined && !Array.isArray(row.arrivals)) throw new KvsimInputError(`${where}: arrivals must be an array, got ${JSON.stringify(row.arrivals)}`);
    const arrivals = ((row.arrivals as RawArrival[] | undefined) ?? []).map((a) => toArrival(a, where));
    if (row.t === "reset") recording.reset = { obs: row.obs as number[], arrivals };
    else if (row.t === "final") recording.final = row as unknown as NpaRecording["final"];
    else if (typeof row.t === "number" && Number.isInteger(row.action)) recording.steps.push({ ...(row as unknown as NpaRecording["steps"][number]), arrivals });
    else throw new KvsimInputError(`${where}: expected a reset, step ({t, action, …}) or final line`);
  });
  return recording;
}

/**
 * Replays a recording's actions with its recorded arrivals injected at the point of each step
 * where traffic spawns (no RNG is involved), and returns what kvsim's environment produced.
 */
export function replayNpa(recording: NpaRecording, task: NpaTask): { reset: number[]; steps: ReplayStep[]; score: number; cumulativeReward: number } {
  const spawns = [recording.reset.arrivals, ...recording.steps.map((s) => s.arrivals)];
  const env = new NpaServingEnv({ task, traffic: () => new RecordedTraffic(spawns) });
  const reset = env.reset().observation;
  const steps: ReplayStep[] = [];
  for (const s of recording.steps) {
    const r = env.step(s.action);
    steps.push({ t: s.t, action: s.action, reward: r.reward, done: r.terminated || r.truncated, obs: r.observation,
      result: r.info.actionResult.split("_")[0]!, ctr: r.info.counters });
    if (r.terminated || r.truncated) break;
  }
  return { reset, steps, score: env.score(), cumulativeReward: env.cumulativeReward };
}
