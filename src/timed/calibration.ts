import type { GpuSpec } from "./gpus.js";
import type { ModelSpec } from "./models.js";
import { rooflineTimeModel, type RooflineParams } from "./roofline.js";
import { addToBatch, newIterationBatch, type IterationBatch, type TimeModel } from "./time-model.js";

/** A point of the calibration grid: a decode batch of `batch` requests at `context` tokens each, or one prefill of `tokens`. */
export type GridPoint = { kind: "decode"; batch: number; context: number } | { kind: "prefill"; tokens: number };

/**
 * The grid the calibration asks for and docs/timed.md reports: decode batches of 1-128
 * requests at contexts of 512-4,096 tokens, and single prefills of 128-4,096 tokens from an empty
 * cache. Nothing samples: Vidur's tables time the transformer layers only, not the output head.
 */
export const DECODE_BATCHES = [1, 2, 4, 8, 16, 32, 48, 64, 96, 128] as const;
export const DECODE_CONTEXTS = [512, 1024, 1536, 2048, 2560, 3072, 3584, 4096] as const;
export const PREFILL_TOKENS = [128, 192, 256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096] as const;

export function calibrationGrid(): GridPoint[] {
  const points: GridPoint[] = [];
  for (const batch of DECODE_BATCHES) for (const context of DECODE_CONTEXTS) points.push({ kind: "decode", batch, context });
  for (const tokens of PREFILL_TOKENS) points.push({ kind: "prefill", tokens });
  return points;
}

function batchOf(point: GridPoint): IterationBatch {
  if (point.kind === "prefill") {
    const b = newIterationBatch(1);
    addToBatch(b, point.tokens, 0, true, false);
    return b;
  }
  const b = newIterationBatch(point.batch);
  for (let i = 0; i < point.batch; i++) addToBatch(b, 1, point.context, false, false);
  return b;
}

export interface GridComparison {
  point: GridPoint;
  /** Seconds, simulated by each model. */
  reference: number;
  candidate: number;
  /** candidate ÷ reference − 1. */
  error: number;
}

/** Times every grid point with both models. */
export function compareOnGrid(reference: TimeModel, candidate: TimeModel, grid: readonly GridPoint[] = calibrationGrid()): GridComparison[] {
  return grid.map((point) => {
    const b = batchOf(point);
    const r = reference.iterationTime(b);
    const c = candidate.iterationTime(b);
    return { point, reference: r, candidate: c, error: c / r - 1 };
  });
}

export const worstError = (rows: readonly GridComparison[]): number => rows.reduce((w, r) => Math.max(w, Math.abs(r.error)), 0);

/** The roofline parameters `fitRoofline` adjusts, with its step for each. */
const FIT_STEPS: Partial<Record<keyof RooflineParams, number>> = {
  gemmFlopsEfficiency: 0.02,
  attentionFlopsEfficiency: 0.02,
  attentionBandwidthEfficiency: 0.02,
  bandwidthEfficiency: 0.02,
  kernelOverheadS: 1e-6,
};

/**
 * Fits the roofline's efficiencies and kernel overhead to a reference time model (a user's profiled
 * tables) by coordinate descent on the worst relative error over the grid: from `start`, each step
 * tries every parameter one step up and down and keeps any change that lowers the worst error,
 * until none does. Deterministic; a few hundred evaluations of the grid.
 */
export function fitRoofline(reference: TimeModel, model: ModelSpec, gpu: GpuSpec, start: RooflineParams, grid: readonly GridPoint[] = calibrationGrid()): { params: RooflineParams; worst: number } {
  const batches = grid.map(batchOf);
  const targets = batches.map((b) => reference.iterationTime(b));
  const worstOf = (p: RooflineParams): number => {
    const m = rooflineTimeModel(model, gpu, 1, p);
    let w = 0;
    batches.forEach((b, i) => (w = Math.max(w, Math.abs(m.iterationTime(b) / targets[i]! - 1))));
    return w;
  };
  let params = { ...start };
  let worst = worstOf(params);
  for (let improved = true; improved; ) {
    improved = false;
    for (const [key, step] of Object.entries(FIT_STEPS) as [keyof RooflineParams, number][]) {
      for (const delta of [-step, step]) {
        // Rounded so that a fit prints as the decimals it stepped through.
        const value = Math.max(0, Number((params[key] + delta).toPrecision(6)));
        const trial = { ...params, [key]: value };
        const w = worstOf(trial);
        if (w < worst - 1e-12) {
          params = trial;
          worst = w;
          improved = true;
        }
      }
    }
  }
  return { params, worst };
}
