/** Gymnasium-style space descriptors (plain data, so they serialise into /schema and docs). */
export interface DiscreteSpace {
  type: "Discrete";
  n: number;
  /** Meaning of each action id. */
  labels?: readonly string[];
}

export interface BoxSpace {
  type: "Box";
  shape: [number];
  low: readonly number[];
  high: readonly number[];
  labels?: readonly string[];
}

/** A vector of independent discrete choices, choice i in [0, nvec[i]). */
export interface MultiDiscreteSpace {
  type: "MultiDiscrete";
  nvec: readonly number[];
  labels?: readonly string[];
}

/** A variable-length list (at most `maxLength`) of elements of `of` (Gymnasium's `Sequence`). */
export interface SequenceSpace {
  type: "Sequence";
  of: MultiDiscreteSpace;
  maxLength: number;
}

export type Space = DiscreteSpace | BoxSpace | MultiDiscreteSpace | SequenceSpace;

export function contains(space: DiscreteSpace, action: unknown): action is number {
  return typeof action === "number" && Number.isInteger(action) && action >= 0 && action < space.n;
}

/** What `step` returns, in Gymnasium's shape. */
export interface StepResult<Obs, Info = Record<string, unknown>> {
  observation: Obs;
  reward: number;
  /** The episode ended inside the MDP (crash, deadlock). */
  terminated: boolean;
  /** The episode was cut by the time limit. */
  truncated: boolean;
  info: Info;
}

export interface ResetOptions {
  seed?: number;
  options?: Record<string, unknown>;
}

/** Why `action` is outside the sequence space, or undefined when it is inside. */
export function sequenceViolation(space: SequenceSpace, action: unknown): string | undefined {
  if (!Array.isArray(action)) return "expected an array of [tool, slot] pairs";
  if (action.length > space.maxLength) return `at most ${space.maxLength} calls per step, got ${action.length}`;
  for (const [i, element] of action.entries()) {
    const ok = Array.isArray(element) && element.length === space.of.nvec.length &&
      element.every((v, k) => typeof v === "number" && Number.isInteger(v) && v >= 0 && v < space.of.nvec[k]!);
    if (!ok) return `element ${i} must be [${space.of.nvec.map((n) => `0..${n - 1}`).join(", ")}], got ${JSON.stringify(element)}`;
  }
  return undefined;
}

/**
 * The environment contract every kvsim env implements (Gymnasium's `Env`). `reset` with a seed
 * restarts the env's random generator from it, so an episode can be replayed; without one the
 * generator goes on, so that successive episodes differ (an env never seeded starts from its
 * documented default seed, so a run is still reproducible). `close` releases the env; it is
 * idempotent, and a reset or step after it is refused.
 */
export interface Env<Obs, Action, Info = Record<string, unknown>, ActionSpace extends Space = DiscreteSpace> {
  readonly id: string;
  readonly observationSpace: Space;
  readonly actionSpace: ActionSpace;
  reset(options?: ResetOptions): { observation: Obs; info: Info };
  step(action: Action): StepResult<Obs, Info>;
  close(): void;
}

/**
 * The seed a reset restarts the generator from, or undefined when the generator goes on: the
 * given seed; else `first` when the env was never seeded (`started` false).
 */
export function restartSeed(given: number | undefined, started: boolean, first: number): number | undefined {
  return given ?? (started ? undefined : first);
}
