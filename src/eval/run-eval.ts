import { appendFileSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import OpenAI from "openai";
import pLimit from "p-limit";
import { makeAgenticPolicy } from "../envs/agentic/policies/registry.js";
import { METRIC_ORDER } from "../envs/agentic/rubric.js";
import { playScripted } from "../envs/agentic/rollout.js";
import { loadEnvironment, type ScenarioRow } from "../envs/agentic/scenario.js";
import { packageVersion } from "../package-info.js";
import { writeFileAtomic } from "../report/write-atomic.js";
import { stat } from "../sweep/summary.js";
import { playChat, type ChatSettings } from "./chat-rollout.js";
import type { EnvArgs } from "./env-args.js";
import { passAtK } from "./pass-at-k.js";
import { KVSIM_COLUMNS, meanUsage, resultsRow, TOOL_DEFS, type ResultsRow, type TokenUsage } from "./verifiers-output.js";

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
  /** verifiers' pass@k and pass^k over the examples whose rollouts all scored (empty with one rollout per example). */
  pass_at_k: Record<string, number>;
  pass_all_k: Record<string, number>;
  /** Mean tokens per rollout (models only; verifiers' metadata `usage`). */
  usage?: TokenUsage;
}

/** A reward counts as a pass at or above this (verifiers' default `pass_threshold`). */
const PASS_THRESHOLD = 0.5;

export function summarize(rows: readonly ResultsRow[], rolloutsPerExample: number): EvalSummary {
  const ok = rows.filter((r) => r.error === null);
  const of = (f: (r: ResultsRow) => number) => (ok.length ? stat(ok.map(f)) : { n: 0, mean: 0 });
  const reward = of((r) => r.reward);
  const metrics = METRIC_ORDER.map((m) => [m, of((r) => r.metrics[m])] as const);
  const byExample = new Map<number, number[]>();
  for (const r of ok) byExample.set(r.example_id, [...(byExample.get(r.example_id) ?? []), r.reward]);
  const usage = meanUsage(rows);
  return {
    rollouts: rows.length, errors: rows.length - ok.length, scored: ok.length, reward: reward.mean,
    metrics: Object.fromEntries(metrics.map(([m, s]) => [m, s.mean])),
    std: { reward: reward.std ?? null, ...Object.fromEntries(metrics.map(([m, s]) => [m, s.std ?? null])) },
    ...passAtK([...byExample.values()], rolloutsPerExample, PASS_THRESHOLD),
    ...(usage ? { usage } : {}),
  };
}

/**
 * Runs rows × rollouts, at most `maxConcurrent` at once, and writes `results.jsonl` (one rollout a
 * line, in row then rollout order) and `metadata.json` in verifiers' layout (save_utils), kvsim's
 * own fields after verifiers'. Lines are appended to a `.partial` file as rollouts finish, so an
 * interrupted run keeps what it finished; the final file replaces it whole. The API key is never written.
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
  const play = async (job: { row: ScenarioRow; rollout: number }): Promise<ResultsRow> => {
    if (player.kind === "policy") return resultsRow(playScripted(job.row, makeAgenticPolicy(player.name), job.rollout, { ...episodeOptions, record: true }));
    const chat = await playChat(client!, player.settings, job.row, job.rollout, episodeOptions);
    return resultsRow(chat.record, chat);
  };
  const started = Date.now();
  const limit = pLimit(Math.max(1, options.maxConcurrent));
  let done = 0;
  const results = await Promise.all(jobs.map((job) => limit(async () => {
    const row = await play(job);
    appendFileSync(partial, JSON.stringify(row) + "\n");
    options.onRollout?.(++done, jobs.length);
    return row;
  })));
  const summary = summarize(results, options.rolloutsPerExample);
  writeFileAtomic(join(options.outDir, "results.jsonl"), results.map((r) => JSON.stringify(r)).join("\n") + "\n");
  rmSync(partial, { force: true });
  const seconds = (Date.now() - started) / 1000;
  const settings = player.kind === "llm" ? player.settings : undefined;
  const version = packageVersion();
  // verifiers' GenerateMetadata as save_metadata writes it (both `time` and the older `time_ms`), then kvsim's fields.
  const metadata = {
    env_id: options.envId,
    env_args: { difficulty: envArgs.difficulty, seed: envArgs.seed, eviction_quality_scale: envArgs.evictionQualityScale },
    model: player.kind === "llm" ? player.settings.model : `kvsim-policy/${player.name}`,
    base_url: player.kind === "llm" ? player.baseURL : "",
    num_examples: rows.length, rollouts_per_example: options.rolloutsPerExample, shuffle: false, shuffle_seed: null,
    sampling_args: {
      ...(settings?.maxTokens !== undefined ? { max_tokens: settings.maxTokens } : {}),
      ...(settings?.temperature !== undefined ? { temperature: settings.temperature } : {}),
    },
    time: seconds, time_ms: seconds * 1000,
    avg_reward: summary.reward, avg_metrics: summary.metrics, avg_error: summary.errors / summary.rollouts,
    pass_at_k: summary.pass_at_k, pass_all_k: summary.pass_all_k, pass_threshold: PASS_THRESHOLD,
    usage: summary.usage ?? null,
    version_info: { vf_version: `kvsim-${version}`, vf_commit: null, env_version: version, env_commit: null },
    state_columns: KVSIM_COLUMNS, tools: TOOL_DEFS,
    ...(player.kind === "llm"
      ? { api_key_env: player.apiKeyEnv ?? null, timeout_ms: player.timeoutMs, max_retries: player.maxRetries }
      : { policy: player.name }),
    max_concurrent: options.maxConcurrent, kvsim_version: version, date: new Date().toISOString(),
    std: summary.std, scored_rollouts: summary.scored, errors: summary.errors,
  };
  writeFileAtomic(join(options.outDir, "metadata.json"), JSON.stringify(metadata, null, 2) + "\n");
  return summary;
}
