import type OpenAI from "openai";
import type { ChatCompletionMessageParam } from "openai/resources/chat/completions";
import { AgenticEpisode, type EpisodeOptions } from "../envs/agentic/episode.js";
import { observationMessage, SYSTEM_PROMPT } from "../envs/agentic/prompts.js";
import type { RolloutRecord } from "../envs/agentic/rollout.js";
import type { ScenarioRow } from "../envs/agentic/scenario.js";
import { TOOL_SCHEMAS } from "../envs/agentic/tools.js";
import { RolloutClock, type RolloutTiming } from "./rollout-timing.js";
import type { RequestUsage, StopCondition } from "./verifiers-output.js";

export interface ChatSettings {
  model: string;
  temperature?: number;
  /** Most tokens per reply (sent as max_completion_tokens). */
  maxTokens?: number;
}

/** A model's rollout: kvsim's record, the transcript in the API's message format, and how it went. */
export interface ChatRollout {
  record: RolloutRecord;
  /** The system prompt and first observation, then every reply, tool result and observation. */
  messages: ChatCompletionMessageParam[];
  stopCondition: StopCondition;
  /** The API error that ended the rollout, if one did. */
  error?: unknown;
  /** Each request's token counts. */
  usage: RequestUsage[];
  /** Whether a reply was cut off at the token limit (finish_reason "length"). */
  isTruncated: boolean;
  timing: RolloutTiming;
}

/**
 * One rollout with a chat model, verifiers' StatefulToolEnv loop: the model sees the system prompt
 * and the first observation; each reply's tool calls run in order, one `tool` message each (a bad
 * call becomes an error message, never an exception), then the simulator advances and the next
 * observation follows as a user message. A reply without tool calls ends the rollout early. An
 * API error that survives the client's retries ends the rollout with `error` set. Each request
 * and each turn's tool work is timed (verifiers' `model` and `env` spans).
 */
export async function playChat(client: OpenAI, settings: ChatSettings, row: ScenarioRow, rollout: number, options: EpisodeOptions = {}): Promise<ChatRollout> {
  const clock = new RolloutClock();
  const started = clock.now();
  const episode = new AgenticEpisode(row, { ...options, record: true });
  const messages: ChatCompletionMessageParam[] = [
    { role: "system", content: SYSTEM_PROMPT },
    { role: "user", content: observationMessage(episode.observation()) },
  ];
  clock.record("setup", started);
  const usage: RequestUsage[] = [];
  let stopCondition: StopCondition = "max_turns_reached";
  let isTruncated = false;
  let error: unknown;
  while (!episode.done) {
    let reply;
    const requested = clock.now();
    try {
      const completion = await client.chat.completions.create({
        model: settings.model, messages, tools: TOOL_SCHEMAS as unknown as OpenAI.Chat.ChatCompletionTool[], tool_choice: "auto",
        ...(settings.temperature !== undefined ? { temperature: settings.temperature } : {}),
        ...(settings.maxTokens !== undefined ? { max_completion_tokens: settings.maxTokens } : {}),
      });
      usage.push({ prompt_tokens: completion.usage?.prompt_tokens ?? 0, completion_tokens: completion.usage?.completion_tokens ?? 0 });
      const choice = completion.choices[0];
      if (!choice) throw new Error("the response has no choices");
      reply = choice.message;
      if (choice.finish_reason === "length") isTruncated = true;
    } catch (err) {
      error = err;
      stopCondition = "has_error";
      break;
    } finally {
      clock.record("model", requested);
    }
    const stepped = clock.now();
    const toolCalls = reply.tool_calls ?? [];
    messages.push({ role: "assistant", content: reply.content ?? null, ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) });
    if (toolCalls.length === 0) {
      episode.stop();
      stopCondition = "no_tools_called";
      clock.record("env", stepped);
      break;
    }
    for (const c of toolCalls) {
      // Only function tools exist here; anything else is answered as a failed call of its type.
      const result = c.type === "function"
        ? episode.call(c.function.name, c.function.arguments)
        : episode.call(`(${String(c.type)} tool call)`, "{}");
      messages.push({ role: "tool", tool_call_id: c.id, content: JSON.stringify(result) });
    }
    episode.endTurn();
    if (!episode.done) messages.push({ role: "user", content: observationMessage(episode.observation()) });
    clock.record("env", stepped);
  }
  clock.record("generation", started);
  const scoring = clock.now();
  const { reward, metrics } = episode.score();
  clock.record("scoring", scoring);
  const record: RolloutRecord = {
    example_id: row.index, rollout, difficulty: row.difficulty, scenario_seed: row.scenarioSeed, memory_budget: episode.sim.memoryBudget,
    reward, metrics, tool_calls: episode.calls,
  };
  return { record, messages, stopCondition, ...(error !== undefined ? { error } : {}), usage, isTruncated, timing: clock.timing() };
}
