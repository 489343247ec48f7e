import type OpenAI from "openai";
import type { ChatCompletionMessageParam } from "openai/resources/chat/completions";
import { AgenticEpisode, type EpisodeOptions } from "../envs/agentic/episode.js";
import { observationMessage, SYSTEM_PROMPT } from "../envs/agentic/prompts.js";
import type { RolloutRecord } from "../envs/agentic/rollout.js";
import type { ScenarioRow } from "../envs/agentic/scenario.js";
import { TOOL_SCHEMAS } from "../envs/agentic/tools.js";

export interface ChatSettings {
  model: string;
  temperature?: number;
  /** Most tokens per reply (sent as max_completion_tokens). */
  maxTokens?: number;
}

export interface TokenUsage {
  prompt_tokens: number;
  completion_tokens: number;
}

/**
 * One rollout with a chat model, verifiers' StatefulToolEnv loop: the model sees the system prompt
 * and the first observation; each reply's tool calls run in order, one `tool` message each (a bad
 * call becomes an error message, never an exception), then the simulator advances and the next
 * observation follows as a user message. A reply without tool calls ends the rollout early. An
 * API error that survives the client's retries ends the rollout with `error` set.
 */
export async function playChat(client: OpenAI, settings: ChatSettings, row: ScenarioRow, rollout: number, options: EpisodeOptions = {}): Promise<RolloutRecord & { usage: TokenUsage }> {
  const episode = new AgenticEpisode(row, { ...options, record: true });
  const messages: ChatCompletionMessageParam[] = [
    { role: "system", content: SYSTEM_PROMPT },
    { role: "user", content: observationMessage(episode.observation()) },
  ];
  const usage: TokenUsage = { prompt_tokens: 0, completion_tokens: 0 };
  let stopReason = "max_turns";
  let error: string | undefined;
  while (!episode.done) {
    let reply;
    try {
      const completion = await client.chat.completions.create({
        model: settings.model, messages, tools: TOOL_SCHEMAS as unknown as OpenAI.Chat.ChatCompletionTool[], tool_choice: "auto",
        ...(settings.temperature !== undefined ? { temperature: settings.temperature } : {}),
        ...(settings.maxTokens !== undefined ? { max_completion_tokens: settings.maxTokens } : {}),
      });
      usage.prompt_tokens += completion.usage?.prompt_tokens ?? 0;
      usage.completion_tokens += completion.usage?.completion_tokens ?? 0;
      reply = completion.choices[0]?.message;
      if (!reply) throw new Error("the response has no choices");
    } catch (err) {
      error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      stopReason = "error";
      break;
    }
    const toolCalls = reply.tool_calls ?? [];
    messages.push({ role: "assistant", content: reply.content ?? null, ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) });
    if (toolCalls.length === 0) {
      episode.stop();
      stopReason = "no_tool_calls";
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
  }
  const { reward, metrics } = episode.score();
  return {
    example_id: row.index, rollout, difficulty: row.difficulty, scenario_seed: row.scenarioSeed, memory_budget: episode.sim.memoryBudget,
    reward, metrics, tool_calls: episode.calls, messages, stop_reason: stopReason, ...(error ? { error } : {}), usage,
  };
}
