import type { HeadView } from "../trace.js";

/** What a scoring policy is given for one (layer, KV head). Never utilities or ground truth. */
export interface ScoringContext {
  view: HeadView;
  /** Every KV head of the same layer (TOVA averages attention over the layer). */
  layerViews: HeadView[];
  seed: number;
  layer: number;
  head: number;
}

/**
 * A token-eviction scoring policy: one score per context token, higher = keep; the kept set at
 * budget b is the top b (ties: larger position first), so one ranking answers every budget.
 * Forced keeps get scores above every finite score.
 */
export interface TokenPolicy {
  name: string;
  summary: string;
  source: string;
  /** Uses attention of context queries (privileged information a real system has at prefill). */
  attention: boolean;
  score(ctx: ScoringContext): Float64Array;
}

/** Above every finite score; `FORCE + x` keeps forced tokens ordered among themselves. */
export const FORCE = 1e12;
