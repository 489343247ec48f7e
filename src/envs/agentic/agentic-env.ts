import { KvsimInputError } from "../../errors.js";
import { sequenceViolation, type BoxSpace, type Env, type ResetOptions, type SequenceSpace, type StepResult } from "../spaces.js";
import { DIFFICULTIES, TOOL_NAMES, type Difficulty } from "./constants.js";
import { AgenticEpisode, type EpisodeOptions } from "./episode.js";
import { GLOBAL_FEATURES, observationFeatures, SLOT_FEATURES, VISIBLE_SLOTS, visibleEntries, type AgenticObservation } from "./observation.js";
import { observationMessage } from "./prompts.js";
import type { Metrics } from "./rubric.js";
import type { Entry, ToolOutcome } from "./simulator.js";

/** One step's tool calls: [tool index into TOOL_NAMES, slot index into visible_seq_ids] pairs. */
export type AgenticAction = ReadonlyArray<readonly [number, number]>;

export interface AgenticInfo extends Record<string, unknown> {
  difficulty: Difficulty;
  scenarioSeed: number;
  /** The ids behind the ten slots (the observation's visible_seq_ids), for logging. */
  visible: string[];
  /** One outcome per call of the step just taken. */
  results: ToolOutcome[];
  /** The rubric's reward and metrics, on the last step. */
  metrics?: Metrics;
}

export interface AgenticEnvOptions extends EpisodeOptions {
  /** "all" picks easy, medium, hard by seed mod 3. */
  difficulty?: Difficulty | "all";
}

const MAX_CALLS = 10;

/**
 * The agentic environment in Gymnasium's shape, for RL agents: the observation is a fixed-length
 * vector (GLOBAL_FEATURES, then SLOT_FEATURES for each of the ten visible slots); an action is a
 * list of up to ten [tool, slot] calls applied in order, after which the simulator advances one
 * step. The reward is the rubric's, paid on the 15th step (0 before); the episode is then
 * truncated (a time limit, never terminated). An empty list calls no tool and just advances.
 */
export class AgenticEnv implements Env<number[], AgenticAction, AgenticInfo, SequenceSpace> {
  readonly actionSpace: SequenceSpace = {
    type: "Sequence", maxLength: MAX_CALLS,
    of: { type: "MultiDiscrete", nvec: [TOOL_NAMES.length, VISIBLE_SLOTS], labels: ["tool", "slot"] },
  };
  readonly observationSpace: BoxSpace;
  private episode: AgenticEpisode | undefined;
  private closed = false;
  private visible: Entry[] = [];

  constructor(readonly id: string, private readonly options: AgenticEnvOptions = {}) {
    const labels = [...GLOBAL_FEATURES, ...Array.from({ length: VISIBLE_SLOTS }, (_, i) => SLOT_FEATURES.map((f) => `slot${i}_${f}`)).flat()];
    this.observationSpace = {
      type: "Box", shape: [labels.length], labels,
      low: labels.map(() => 0), high: labels.map((l) => (l === "normalized_usage" || l === "memory_usage" ? 2 : l.startsWith("pending") || l === "at_risk" ? 10 : 1)),
    };
  }

  /**
   * Starts an episode on the scenario of `seed`; without one, on the next scenario after the last
   * episode's (scenario 0 first), so successive episodes differ and a run repeats exactly.
   */
  reset({ seed: given, options = {} }: ResetOptions = {}): { observation: number[]; info: AgenticInfo } {
    if (this.closed) throw new KvsimInputError(`${this.id}: reset() after close()`);
    const seed = given ?? (this.episode ? this.episode.row.scenarioSeed + 1 : 0);
    if (!Number.isSafeInteger(seed) || seed < 0) throw new KvsimInputError(`seed must be a non-negative integer, got ${seed}`);
    const wanted = (options["difficulty"] as string | undefined) ?? this.options.difficulty ?? "all";
    if (wanted !== "all" && !(DIFFICULTIES as readonly string[]).includes(wanted)) {
      throw new KvsimInputError(`options.difficulty: expected easy, medium, hard or all, got ${JSON.stringify(wanted)}`);
    }
    const difficulty = wanted === "all" ? DIFFICULTIES[seed % 3]! : (wanted as Difficulty);
    this.episode = new AgenticEpisode({ index: 0, difficulty, scenarioSeed: seed >>> 0 }, this.options);
    return { observation: this.observe(), info: this.info([]) };
  }

  /** Ends the env: later steps and resets are refused. Idempotent. */
  close(): void {
    this.closed = true;
  }

  step(action: AgenticAction): StepResult<number[], AgenticInfo> {
    if (this.closed) throw new KvsimInputError(`${this.id}: step() after close()`);
    const episode = this.episode;
    if (!episode) throw new Error(`${this.id}: call reset() before step()`);
    if (episode.done) throw new Error(`${this.id}: the episode is over; call reset()`);
    const violation = sequenceViolation(this.actionSpace, action);
    if (violation) throw new RangeError(`${this.id}: action outside the action space: ${violation}`);
    const results = action.map(([tool, slot]) => {
      const name = TOOL_NAMES[tool]!;
      // An empty slot names no sequence: the call fails like an unknown id (and is counted).
      return episode.act(name, this.visible[slot]?.seqId ?? `(empty slot ${slot})`);
    });
    episode.endTurn();
    const done = episode.done;
    const scored = done ? episode.score() : undefined;
    return { observation: this.observe(), reward: scored?.reward ?? 0, terminated: false, truncated: done, info: { ...this.info(results), metrics: scored?.metrics } };
  }

  /** The compact JSON observation an LLM would read now (not built per step: it costs more than the step). */
  observationJson(): AgenticObservation {
    if (!this.episode) throw new Error(`${this.id}: call reset() first`);
    return this.episode.observation();
  }

  /** Gymnasium's `render()` in "ansi" mode: the user message a model would get now. */
  render(): string {
    return observationMessage(this.observationJson());
  }

  private observe(): number[] {
    this.visible = visibleEntries(this.episode!.sim);
    return observationFeatures(this.episode!.sim, this.visible);
  }

  private info(results: ToolOutcome[]): AgenticInfo {
    const e = this.episode!;
    return { difficulty: e.row.difficulty, scenarioSeed: e.row.scenarioSeed, visible: this.visible.map((v) => v.seqId), results };
  }
}
