import type { ChatCompletionMessageParam } from "openai/resources/chat/completions";
import type { RolloutRecord } from "../envs/agentic/rollout.js";
import { TOOL_SCHEMAS } from "../envs/agentic/tools.js";
import type { ChatRollout } from "./chat-rollout.js";
import { untimed, type RolloutTiming } from "./rollout-timing.js";

/**
 * A line of results.jsonl as verifiers' `state_to_output` (verifiers/legacy/utils/save_utils.py)
 * writes it, then kvsim's own columns (listed in metadata.json's `state_columns`, as verifiers
 * lists the extra state columns it saves). docs/envs.md, "Results files", gives each field's source.
 */
export type ResultsRow = VerifiersRow & Pick<RolloutRecord, KvsimColumn>;

interface VerifiersRow {
  example_id: number;
  prompt: OutputMessage[] | null;
  completion: OutputMessage[] | null;
  /** The dataset task, "default" without one: verifiers wrote it up to commit b7dd85f and dropped it later. */
  task: string;
  reward: number;
  error: ErrorData | null;
  timing: RolloutTiming;
  is_completed: boolean;
  is_truncated: boolean;
  stop_condition: StopCondition;
  metrics: RolloutRecord["metrics"];
  tool_defs: ToolDef[];
  token_usage?: TokenUsage;
  error_chain?: string;
  long_error_chain?: string;
  /** Each metric again, flattened (save_utils: "flatten metrics to top-level keys"). */
  [metric: string]: unknown;
}

/** The names of the verifiers stop conditions that end kvsim's rollouts (MultiTurnEnv, ToolEnv). */
export type StopCondition = "max_turns_reached" | "no_tools_called" | "has_error";

/** verifiers' `ErrorData` (error_utils.error_data): the error's class, message and cause chain. */
export interface ErrorData {
  error: string;
  message: string;
  error_chain_repr: string;
  error_chain_str: string;
}

/** verifiers' `TokenUsage`, summed over a rollout's requests (save_utils, usage_utils.compute_context_token_metrics). */
export interface TokenUsage {
  input_tokens: number;
  output_tokens: number;
  final_input_tokens: number;
  final_output_tokens: number;
}

/** verifiers' `Tool` as saved (`model_dump(exclude_none=True)`). */
export interface ToolDef {
  name: string;
  description: string;
  parameters: object;
}

/** A message as save_utils writes it: tool calls as JSON strings of `{id, name, arguments}` (message_utils.sanitize_tool_calls). */
export type OutputMessage =
  | { role: "system" | "user"; content: unknown }
  | { role: "assistant"; content: unknown; tool_calls?: string[] }
  | { role: "tool"; tool_call_id: string; content: unknown };

/** kvsim's columns after verifiers' fields, in the order they are written. */
export const KVSIM_COLUMNS = ["rollout", "difficulty", "scenario_seed", "memory_budget", "tool_calls"] as const;
type KvsimColumn = (typeof KVSIM_COLUMNS)[number];

/** The four tools in verifiers' `Tool` form, for `tool_defs` and metadata `tools`. */
export const TOOL_DEFS: ToolDef[] = TOOL_SCHEMAS.map((t) => ({ name: t.function.name, description: t.function.description, parameters: t.function.parameters }));

/** Requests' token counts, as the API reported them. */
export interface RequestUsage {
  prompt_tokens: number;
  completion_tokens: number;
}

export function tokenUsage(requests: readonly RequestUsage[]): TokenUsage {
  const input = requests.reduce((a, u) => a + u.prompt_tokens, 0);
  const output = requests.reduce((a, u) => a + u.completion_tokens, 0);
  const last = requests.at(-1);
  // compute_context_token_metrics: the last request's context less everything the model generated.
  const context = last ? last.prompt_tokens + last.completion_tokens : 0;
  return { input_tokens: input, output_tokens: output, final_input_tokens: Math.max(0, context - output), final_output_tokens: output };
}

/** An error and its `cause` chain, as verifiers' ErrorChain renders them ("A -> B"). */
export function errorData(err: unknown): ErrorData {
  const chain: unknown[] = [];
  for (let e: unknown = err; e !== undefined && e !== null && chain.length < 10; e = e instanceof Error ? e.cause : undefined) chain.push(e);
  const name = (e: unknown) => (e instanceof Error ? e.name : typeof e);
  const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
  return {
    error: name(err),
    message: message(err) || name(err),
    error_chain_repr: chain.map((e) => `${name(e)}(${JSON.stringify(message(e))})`).join(" -> "),
    error_chain_str: chain.map(name).join(" -> "),
  };
}

function outputMessage(m: ChatCompletionMessageParam): OutputMessage {
  if (m.role === "assistant") {
    const calls = (m.tool_calls ?? []).map((c) => {
      const [name, args] = c.type === "function" ? [c.function.name, c.function.arguments] : [c.custom.name, c.custom.input];
      return JSON.stringify({ id: c.id, name, arguments: typeof args === "string" ? args : JSON.stringify(args) });
    });
    return { role: "assistant", content: m.content ?? "", ...(calls.length > 0 ? { tool_calls: calls } : {}) };
  }
  if (m.role === "tool") return { role: "tool", tool_call_id: m.tool_call_id, content: m.content };
  return { role: m.role === "system" ? "system" : "user", content: m.content };
}

/**
 * One rollout as a results.jsonl line. With `chat` (a model's rollout): the system prompt and first
 * observation as `prompt`, the rest as `completion`. A built-in policy has no chat: `prompt` and
 * `completion` are null (verifiers' types allow None), no `token_usage`, and the timing is zero.
 */
export function resultsRow(record: RolloutRecord, chat?: ChatRollout): ResultsRow {
  const error = chat?.error === undefined ? null : errorData(chat.error);
  return {
    example_id: record.example_id,
    prompt: chat ? chat.messages.slice(0, 2).map(outputMessage) : null,
    completion: chat ? chat.messages.slice(2).map(outputMessage) : null,
    task: "default",
    reward: record.reward,
    error,
    timing: chat ? chat.timing : untimed(),
    // Every rollout ends on a stop condition, an API error included (verifiers' has_error).
    is_completed: true,
    is_truncated: chat?.isTruncated ?? false,
    stop_condition: chat?.stopCondition ?? "max_turns_reached",
    metrics: record.metrics,
    tool_defs: TOOL_DEFS,
    ...(chat ? { token_usage: tokenUsage(chat.usage) } : {}),
    ...(error ? { error_chain: error.error_chain_repr, long_error_chain: error.error_chain_str } : {}),
    ...record.metrics,
    rollout: record.rollout, difficulty: record.difficulty, scenario_seed: record.scenario_seed, memory_budget: record.memory_budget, tool_calls: record.tool_calls,
  };
}

/** metadata `usage`: verifiers' mean per rollout of each token count, over the rollouts that have one; null for none. */
export function meanUsage(rows: readonly ResultsRow[]): TokenUsage | null {
  const usages = rows.flatMap((r) => (r.token_usage ? [r.token_usage] : []));
  if (usages.length === 0) return null;
  const mean = (k: keyof TokenUsage) => usages.reduce((a, u) => a + u[k], 0) / usages.length;
  return { input_tokens: mean("input_tokens"), output_tokens: mean("output_tokens"), final_input_tokens: mean("final_input_tokens"), final_output_tokens: mean("final_output_tokens") };
}
