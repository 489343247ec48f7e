import { TOOL_NAMES, type ToolName } from "./constants.js";
import type { AgenticSimulator, ToolOutcome } from "./simulator.js";

const seqIdParameter = {
  type: "object",
  properties: { seq_id: { type: "string", description: "A sequence id from visible_seq_ids, e.g. \"s7\"." } },
  required: ["seq_id"],
  additionalProperties: false,
} as const;

/** The four tools as OpenAI function tools (chat-completions `tools`). */
export const TOOL_SCHEMAS = [
  {
    type: "function",
    function: {
      name: "evict",
      description: "Drop a sequence from the KV cache. Frees its private pages; a shared prefix is freed only with its last reference. Logged as an eviction.",
      parameters: seqIdParameter,
    },
  },
  {
    type: "function",
    function: {
      name: "compress",
      description: "Quantize a sequence's private KV one level further (fp16 -> int8 -> int4); each level halves its memory.",
      parameters: seqIdParameter,
    },
  },
  {
    type: "function",
    function: {
      name: "swap_to_cpu",
      description: "Move a sequence's private KV to CPU memory: frees its GPU pages, but it stops generating and each later access costs 0.1-0.3 latency.",
      parameters: seqIdParameter,
    },
  },
  {
    type: "function",
    function: { name: "keep", description: "Do nothing this call.", parameters: { type: "object", properties: {}, additionalProperties: false } },
  },
] as const;

/** One tool call as a model emits it: a name and a JSON argument string (some servers send an object). */
export interface ToolCallRequest {
  name: string;
  arguments: unknown;
}

function parseArguments(raw: unknown): Record<string, unknown> | string {
  if (raw === undefined || raw === null) return {};
  if (typeof raw === "object" && !Array.isArray(raw)) return raw as Record<string, unknown>;
  if (typeof raw !== "string") return `arguments must be a JSON object, got ${JSON.stringify(raw)}`;
  if (raw.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return `arguments are not valid JSON: ${raw.slice(0, 80)}`;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return "arguments must be a JSON object";
  return value as Record<string, unknown>;
}

/**
 * Runs one tool call against the simulator. A bad name, unparsable or wrong arguments, or an
 * unknown id give `ok: false` and change nothing.
 */
export function executeToolCall(sim: AgenticSimulator, call: ToolCallRequest): ToolOutcome {
  const name = call.name;
  if (!(TOOL_NAMES as readonly string[]).includes(name)) return { ok: false, action: name, error: `unknown tool "${name}" (tools: ${TOOL_NAMES.join(", ")})` };
  const args = parseArguments(call.arguments);
  if (typeof args === "string") return { ok: false, action: name, error: args };
  if (name === "keep") {
    const extra = Object.keys(args);
    return extra.length > 0 ? { ok: false, action: name, error: `keep takes no arguments (got ${extra.join(", ")})` } : sim.keep();
  }
  const extra = Object.keys(args).filter((k) => k !== "seq_id");
  if (extra.length > 0) return { ok: false, action: name, error: `unexpected argument ${extra.join(", ")}` };
  const seqId = args["seq_id"];
  if (typeof seqId !== "string") return { ok: false, action: name, error: "seq_id must be a string" };
  return runTool(sim, name as Exclude<ToolName, "keep">, seqId);
}

export function runTool(sim: AgenticSimulator, tool: Exclude<ToolName, "keep">, seqId: string): ToolOutcome {
  if (tool === "evict") return sim.evict(seqId);
  if (tool === "compress") return sim.compress(seqId);
  return sim.swapToCpu(seqId);
}
