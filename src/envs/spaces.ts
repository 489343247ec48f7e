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

export type Space = DiscreteSpace | BoxSpace;

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

/** The environment contract every kvsim env implements (Gymnasium's `Env`). */
export interface Env<Obs, Action, Info = Record<string, unknown>> {
  readonly id: string;
  readonly observationSpace: Space;
  readonly actionSpace: DiscreteSpace;
  reset(options?: ResetOptions): { observation: Obs; info: Info };
  step(action: Action): StepResult<Obs, Info>;
}
