import type { TokenTrace } from "../trace.js";
import type { TrainingCost } from "./head-data.js";
import type { MlpScorer } from "./mlp.js";
import type { HeadScorer } from "./scorer.js";
import { trainHead, type TrainHeadOptions } from "./train.js";
import { trainHeadPlRloo, type PlTrainOptions } from "./train-pl.js";

/**
 * The two ways kvsim trains a per-head scorer (docs/tokens.md): `es`, KVP-lite's evolution
 * strategies on a linear scorer, and `pl-rloo`, KV Policy's own Plackett–Luce policy gradient
 * with an RLOO baseline on a small MLP.
 */
export const TRAINING_METHODS = ["es", "pl-rloo"] as const;
export type TrainingMethod = (typeof TRAINING_METHODS)[number];

type PerHead = "traces" | "layer" | "head";
export type TrainSettings =
  | ({ method?: "es" } & Omit<TrainHeadOptions, PerHead | "onIteration">)
  | ({ method: "pl-rloo" } & Omit<PlTrainOptions, PerHead | "onStep">);

/** Trains one (layer, KV head) by the settings' method. */
export function trainHeadBy(settings: TrainSettings, traces: readonly TokenTrace[], layer: number, head: number): { scorer: HeadScorer | MlpScorer; curve: number[]; cost: TrainingCost } {
  return settings.method === "pl-rloo" ? trainHeadPlRloo({ ...settings, traces, layer, head }) : trainHead({ ...settings, traces, layer, head });
}
