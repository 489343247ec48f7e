/**
 * A rollout's `timing` in results.jsonl, in both layouts verifiers' save_utils has written
 * (docs/envs.md, "Results files"): the spans of verifiers' current `RolloutTiming`
 * (verifiers/legacy/types.py: `setup`, `generation`, `scoring` TimeSpans, `model` and `env`
 * TimeSpans lists, `total`, `overhead`; seconds since the epoch) and the millisecond fields it wrote
 * until its per-turn timing change (#1182, commit b7dd85f: `generation_ms`, `scoring_ms`,
 * `total_ms`, `start_timer`). The key sets do not overlap, so readers of either version load it.
 */

export interface TimeSpan {
  start: number;
  end: number;
  duration: number;
}

export interface RolloutTiming {
  start_time: number;
  start_timer: number;
  generation_ms: number;
  scoring_ms: number;
  total_ms: number;
  setup: TimeSpan;
  generation: TimeSpan;
  scoring: TimeSpan;
  model: { spans: TimeSpan[]; duration: number };
  env: { spans: TimeSpan[]; duration: number };
  total: number;
  overhead: number;
}

type Phase = "setup" | "generation" | "scoring" | "model" | "env";

/** Wall-clock seconds since the epoch, with performance.now()'s sub-millisecond resolution. */
function epochSeconds(): number {
  return (performance.timeOrigin + performance.now()) / 1000;
}

const span = (start: number, end: number): TimeSpan => ({ start, end, duration: end - start });
const sum = (spans: readonly TimeSpan[]) => spans.reduce((a, s) => a + s.duration, 0);

/** Records a chat rollout's phases as they happen: `const t = clock.now(); …; clock.record("model", t)`. */
export class RolloutClock {
  private readonly startTime = epochSeconds();
  private readonly startTimer = performance.now() / 1000;
  private readonly phases: Record<Phase, TimeSpan[]> = { setup: [], generation: [], scoring: [], model: [], env: [] };

  now(): number {
    return epochSeconds();
  }

  record(phase: Phase, start: number): void {
    this.phases[phase].push(span(start, epochSeconds()));
  }

  timing(): RolloutTiming {
    const one = (phase: Phase) => this.phases[phase][0] ?? span(0, 0);
    const [setup, generation, scoring] = [one("setup"), one("generation"), one("scoring")];
    // verifiers: total runs from the start of generation to the end of scoring; overhead is what no phase covers.
    const total = scoring.end > 0 ? scoring.end - generation.start : 0;
    return {
      start_time: this.startTime, start_timer: this.startTimer,
      generation_ms: generation.duration * 1000, scoring_ms: scoring.duration * 1000, total_ms: (generation.duration + scoring.duration) * 1000,
      setup, generation, scoring,
      model: { spans: this.phases.model, duration: sum(this.phases.model) },
      env: { spans: this.phases.env, duration: sum(this.phases.env) },
      total, overhead: total - setup.duration - sum(this.phases.model) - sum(this.phases.env) - scoring.duration,
    };
  }
}

/**
 * The timing of a built-in policy's rollout: all zero, verifiers' value for a phase never measured,
 * so that a policy run's results.jsonl is byte-identical from run to run.
 */
export function untimed(): RolloutTiming {
  const zero = span(0, 0);
  return {
    start_time: 0, start_timer: 0, generation_ms: 0, scoring_ms: 0, total_ms: 0,
    setup: zero, generation: zero, scoring: zero, model: { spans: [], duration: 0 }, env: { spans: [], duration: 0 }, total: 0, overhead: 0,
  };
}
