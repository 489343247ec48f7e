import { MAX_STEPS, TOOL_NAMES, type ToolName } from "./constants.js";
import { buildObservation, type AgenticObservation } from "./observation.js";
import { countCall, emptyToolCounts, rubricState, score, type Score, type ToolCounts } from "./rubric.js";
import { generateScenario, type ScenarioRow } from "./scenario.js";
import { AgenticSimulator, type ToolOutcome } from "./simulator.js";
import { executeToolCall, runTool } from "./tools.js";

export interface EpisodeOptions {
  /** Multiplies eviction_quality (default 1: the published formula as written). */
  evictionQualityScale?: number;
  /** Keep every call and its result in `calls` (transcripts); off for fast scripted sweeps. */
  record?: boolean;
}

/** One tool call of a rollout and what it did. */
export interface ToolCallRecord {
  turn: number;
  name: string;
  arguments: string;
  result: ToolOutcome;
}

/**
 * One rollout of the agentic environment, whoever plays it (an LLM through `call`, a built-in
 * policy through `act`, an RL agent through AgenticEnv): a turn is any number of tool calls, then
 * `endTurn()` advances the simulator one step. A turn without tool calls (`stop()`) ends the
 * episode early, as verifiers' ToolEnv does when the model answers without calling a tool.
 */
export class AgenticEpisode {
  readonly sim: AgenticSimulator;
  readonly tools: ToolCounts = emptyToolCounts();
  readonly calls: ToolCallRecord[] = [];
  private stopped = false;

  constructor(readonly row: ScenarioRow, private readonly options: EpisodeOptions = {}) {
    this.sim = new AgenticSimulator(generateScenario(row.difficulty, row.scenarioSeed));
  }

  get done(): boolean {
    return this.stopped || this.sim.step >= MAX_STEPS;
  }

  observation(): AgenticObservation {
    return buildObservation(this.sim);
  }

  private guard(): void {
    if (this.done) throw new Error("the episode is over: no more tool calls or turns");
  }

  /** A tool call as a model sends it (name + JSON arguments; an object is accepted too). */
  call(name: string, args: unknown): ToolOutcome {
    this.guard();
    countCall(this.tools, name);
    const text = typeof args === "string" ? args : JSON.stringify(args ?? null);
    return this.recorded(name, text, executeToolCall(this.sim, { name, arguments: args }));
  }

  /** A structured tool call (built-in policies and RL agents). */
  act(tool: ToolName, seqId = ""): ToolOutcome {
    this.guard();
    if (!(TOOL_NAMES as readonly string[]).includes(tool)) throw new RangeError(`unknown tool "${tool}"`);
    countCall(this.tools, tool);
    const result = tool === "keep" ? this.sim.keep() : runTool(this.sim, tool, seqId);
    return this.options.record ? this.recorded(tool, JSON.stringify(tool === "keep" ? {} : { seq_id: seqId }), result) : result;
  }

  private recorded(name: string, args: string, result: ToolOutcome): ToolOutcome {
    if (this.options.record) this.calls.push({ turn: this.tools.num_turns + 1, name, arguments: args, result });
    return result;
  }

  endTurn(): void {
    this.guard();
    this.tools.num_turns++;
    this.sim.advance();
  }

  stop(): void {
    this.guard();
    this.tools.num_turns++;
    this.stopped = true;
  }

  score(): Score {
    return score(rubricState(this.sim), this.tools, this.options.evictionQualityScale ?? 1);
  }
}
