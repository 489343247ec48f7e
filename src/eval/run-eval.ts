import { appendFileSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import OpenAI from "openai";
import pLimit from "p-limit";
import { makeAgenticPolicy } from "../envs/agentic/policies/registry.js";
import { METRIC_ORDER } from "../envs/agentic/rubric.js";
import { playScripted, type RolloutRecord } from "../envs/agentic/rollout.js";
import { loadEnvironment, type ScenarioRow } from "../envs/agentic/scenario.js";
import { packageVersion } from "../package-info.js";
import { writeFileAtomic } from "../report/write-atomic.js";
import { stat } from "../sweep/summary.js";
import { playChat, type ChatSettings, type TokenUsage } from "./chat-rollout.js";
import type { EnvArgs } from "./env-args.js";

/** Who plays: a chat model behind an OpenAI-compatible API, or a built-in policy. */
export type Player =
  | { kind: "llm"; settings: ChatSettings; baseURL: string; apiKey: string; apiKeyEnv?: string; timeoutMs: number; maxRetries: number }
  | { kind: "policy"; name: string };

export interface EvalOptions {
  envId: string;
  envArgs: EnvArgs;
  player: Player;
  /** Rows (scenarios); -1 = all. */
  numExamples: number;
  rolloutsPerExample: number;
  maxConcurrent: number;
  outDir: string;
  onRollout?: (done: number, total: number) => void;
}

export interface EvalSummary {
  rollouts: number;
  errors: number;
  /** Rollouts that finished without an API error: the means and spreads are over these. */
  scored: number;
  reward: number;
  metrics: Record<string, number>;
  /** Sample standard deviation (n − 1) of the reward and each metric; null with fewer than 2 scored rollouts. */
  std: Record<string, number | null>;
  usage?: TokenUsage;
}

export function summarize(records: readonly RolloutRecord[]): EvalSummary {
  const ok = records.filter((r) => !r.error);
  const of = (f: (r: RolloutRecord) => number) => (ok.length ? stat(ok.map(f)) : { n: 0, mean: 0 });
  const reward = of((r) => r.reward);
  const metrics = METRIC_ORDER.map((m) => [m, of((r) => r.metrics[m]!)] as const);
  return {
    rollouts: records.length, errors: records.length - ok.length, scored: ok.length, reward: reward.mean,
    metrics: Object.fromEntries(metrics.map(([m, s]) => [m, s.mean])),
    std: { reward: reward.std ?? null, ...Object.fromEntries(metrics.map(([m, s]) => [m, s.std ?? null])) },
  };
}

/**
 * Runs rows × rollouts, at most `maxConcurrent` at once, and writes `results.jsonl` (one rollout a
 * line, in row then rollout order) and `metadata.json`. Lines are appended to a `.partial` file as
 * rollouts finish, so an interrupted run keeps what it finished; the final file replaces it whole.
 * The API key is never written.
 */
export async function runEval(options: EvalOptions): Promise<EvalSummary> {
  const { envArgs, player } = options;
  const rows = loadEnvironment({ difficulty: envArgs.difficulty, numExamples: options.numExamples, seed: envArgs.seed });
  const jobs: { row: ScenarioRow; rollout: number }[] = rows.flatMap((row) => Array.from({ length: options.rolloutsPerExample }, (_, rollout) => ({ row, rollout })));
  mkdirSync(options.outDir, { recursive: true });
  const partial = join(options.outDir, "results.jsonl.partial");
  rmSync(partial, { force: true });
  const episodeOptions = { evictionQualityScale: envArgs.evictionQualityScale };
  const client = player.kind === "llm"
    ? new OpenAI({ baseURL: player.baseURL, apiKey: player.apiKey, timeout: player.timeoutMs, maxRetries: player.maxRetries })
    : undefined;
  const play = async (job: { row: ScenarioRow; rollout: number }): Promise<RolloutRecord> => {
    if (player.kind === "llm") return playChat(client!, player.settings, job.row, job.rollout, episodeOptions);
    return playScripted(job.row, makeAgenticPolicy(player.name), job.rollout, { ...episodeOptions, record: true });
  };
  const started = Date.now();
  const limit = pLimit(Math.max(1, options.maxConcurrent));
  let done = 0;
  const records = await Promise.all(jobs.map((job) => limit(async () => {
    const record = await play(job);
    appendFileSync(partial, JSON.stringify(record) + "\n");
    options.onRollout?.(++done, jobs.length);
    return record;
  })));
  const summary = summarize(records);
  if (player.kind === "llm") {
    summary.usage = records.reduce<TokenUsage>((u, r) => {
      const ru = (r as RolloutRecord & { usage?: TokenUsage }).usage;
      return { prompt_tokens: u.prompt_tokens + (ru?.prompt_tokens ?? 0), completion_tokens: u.completion_tokens + (ru?.completion_tokens ?? 0) };
    }, { prompt_tokens: 0, completion_tokens: 0 });
  }
  writeFileAtomic(join(options.outDir, "results.jsonl"), records.map((r) => JSON.stringify(r)).join("\n") + "\n");
  rmSync(partial, { force: true });
  const metadata = {
    env: options.envId,
    env_args: { difficulty: envArgs.difficulty, seed: envArgs.seed, eviction_quality_scale: envArgs.evictionQualityScale },
    ...(player.kind === "llm"
      ? { model: player.settings.model, base_url: player.baseURL, api_key_env: player.apiKeyEnv ?? null, temperature: player.settings.temperature ?? null, timeout_ms: player.timeoutMs, max_retries: player.maxRetries }
      : { policy: player.name }),
    num_examples: rows.length, rollouts_per_example: options.rolloutsPerExample, max_concurrent: options.maxConcurrent,
    kvsim_version: packageVersion(), date: new Date().toISOString(), duration_s: (Date.now() - started) / 1000,
    avg_reward: summary.reward, avg_metrics: summary.metrics, std: summary.std, scored_rollouts: summary.scored, errors: summary.errors, ...(summary.usage ? { usage: summary.usage } : {}),
  };
  writeFileAtomic(join(options.outDir, "metadata.json"), JSON.stringify(metadata, null, 2) + "\n");
  return summary;
}
