import { MAX_STEPS } from "./constants.js";
import type { AgenticObservation } from "./observation.js";

/** The system prompt (the source's wording is unpublished; this follows its README's guidance). */
export const SYSTEM_PROMPT = [
  `You manage the KV cache of an LLM inference server for ${MAX_STEPS} steps.`,
  "Memory usage is a fraction of GPU capacity; keep it under memory_budget with headroom: below 80% of the budget is ideal, above 95% is dangerous, and at 100% running sequences are preempted and fail.",
  "Pending requests that wait 5 steps fail; failures cost the most. Generated tokens are rewarded, so do not evict needlessly.",
  "Tools: evict(seq_id) drops a sequence; compress(seq_id) quantizes it fp16 -> int8 -> int4, halving its memory each time; swap_to_cpu(seq_id) frees its GPU memory but it stops generating and later accesses cost latency; keep() does nothing.",
  "Block types carry an eviction value: system 0.0 (never evict), context 0.25, generation 0.5, reasoning 0.9, ephemeral 1.0 (safe to drop). Avoid evicting high-priority context and nearly finished high-priority generation; prefer ephemeral and reasoning blocks.",
  "Sequences sharing a prefix (shared_prefix_id) free only their own pages when evicted; the prefix goes with its last sharer.",
  "Call several tools in one turn when pressure is high. Use only ids from visible_seq_ids. Every turn must call at least one tool (keep if nothing is needed); a reply without tool calls ends the episode.",
].join("\n");

/** The user message carrying an observation ("Step k of 15" and the compact JSON). */
export function observationMessage(observation: AgenticObservation): string {
  const step = MAX_STEPS - observation.episode_remaining + 1;
  return `Step ${step} of ${MAX_STEPS}\n${JSON.stringify(observation)}`;
}
