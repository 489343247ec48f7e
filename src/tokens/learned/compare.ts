import { join } from "node:path";
import { KvsimInputError } from "../../errors.js";
import { evaluateTokenTrace, summarizeTokenEval, type HeadResult, type SummaryRow } from "../evaluate.js";
import { writeTokenTrace } from "../format.js";
import { generateTokenTrace } from "../generate.js";
import { trainTokenScorers, type HeadJobResult } from "./train-all.js";
import type { TrainSettings } from "./train-head.js";
import type { LearnedWeights } from "./weights.js";

/** One learned policy of a comparison: its label in the table and how it is trained. */
export interface LearnedMethod {
  label: string;
  settings: TrainSettings;
}

export interface CompareOptions {
  trainSeeds: readonly number[];
  evalSeeds: readonly number[];
  /** Generator parameters shared by training and evaluation traces (the same model, `modelSeed`). */
  generator: Record<string, unknown>;
  methods: readonly LearnedMethod[];
  /** Registered policies to compare against; the oracle is always included. */
  baselines: readonly string[];
  threads: number;
  /** Where the training traces are written for the workers to read. */
  workDir: string;
  onHead?: (label: string, r: HeadJobResult) => void;
  onTrace?: (seed: number) => void;
}

export interface TrainedMethod {
  label: string;
  weights: LearnedWeights;
  wallSeconds: number;
  rankings: number;
  tokenForwards: number;
}

/** B − A in all-budget score, head by head (the same trace, layer and head): its mean, standard error and the heads where B is better. */
export interface PairedDifference {
  a: string;
  b: string;
  heads: number;
  mean: number;
  standardError: number;
  better: number;
}

export interface Comparison {
  trainSeeds: number[];
  evalSeeds: number[];
  trained: TrainedMethod[];
  summary: SummaryRow[];
  /** The last learned method against the first, per head. */
  paired?: PairedDifference;
  heads: HeadResult[];
}

export function pairedDifference(heads: readonly HeadResult[], a: string, b: string): PairedDifference {
  const of = (p: string) => heads.filter((h) => h.policy === p);
  const as = of(a);
  // Both lists are in evaluation order (trace, layer, head), so index i is the same head.
  const diffs = of(b).map((h, i) => h.allBudgetScore - as[i]!.allBudgetScore);
  const n = diffs.length;
  const mean = diffs.reduce((x, y) => x + y, 0) / n;
  const variance = n > 1 ? diffs.reduce((x, y) => x + (y - mean) ** 2, 0) / (n - 1) : 0;
  return { a, b, heads: n, mean, standardError: Math.sqrt(variance / n), better: diffs.filter((x) => x > 0).length };
}

/**
 * Trains each learned method on the training seeds, then evaluates them, the oracle and the
 * baselines on the evaluation seeds (offline, every head; docs/tokens.md). The two seed lists
 * must be disjoint: a policy is never scored on an input it was trained on.
 */
export async function compareLearnedPolicies(options: CompareOptions): Promise<Comparison> {
  const shared = options.evalSeeds.filter((s) => options.trainSeeds.includes(s));
  if (shared.length > 0) throw new KvsimInputError(`training and evaluation seeds must be disjoint; both have ${shared.join(", ")}`);
  const files = writeTrainingTraces(options.workDir, options.trainSeeds, options.generator);
  const trained: TrainedMethod[] = [];
  for (const m of options.methods) {
    const weights = await trainTokenScorers(files, m.settings, options.threads, (r) => options.onHead?.(m.label, r));
    const t = weights.training;
    trained.push({ label: m.label, weights, wallSeconds: t["wallSeconds"] as number, rankings: t["rankings"] as number, tokenForwards: t["tokenForwards"] as number });
  }
  const heads: HeadResult[] = [];
  for (const seed of options.evalSeeds) {
    const trace = generateTokenTrace({ ...options.generator, seed });
    heads.push(...evaluateTokenTrace(trace, { policies: ["oracle", ...options.baselines], errorQueries: 0 }));
    for (const m of trained) {
      const rows = evaluateTokenTrace(trace, { policies: ["learned"], weights: m.weights, errorQueries: 0 });
      heads.push(...rows.map((r) => ({ ...r, policy: m.label })));
    }
    options.onTrace?.(seed);
  }
  const order = ["oracle", ...trained.map((m) => m.label), ...options.baselines];
  const summary = summarizeTokenEval(heads).sort((a, b) => order.indexOf(a.policy) - order.indexOf(b.policy));
  const paired = trained.length > 1 ? pairedDifference(heads, trained[0]!.label, trained.at(-1)!.label) : undefined;
  return { trainSeeds: [...options.trainSeeds], evalSeeds: [...options.evalSeeds], trained, summary, ...(paired ? { paired } : {}), heads };
}

/** Generated training traces, written to `dir` as train-SEED.kvtrace (the workers read files). */
export function writeTrainingTraces(dir: string, seeds: readonly number[], generator: Record<string, unknown>): string[] {
  return seeds.map((seed) => {
    const f = join(dir, `train-${seed}.kvtrace`);
    writeTokenTrace(f, generateTokenTrace({ ...generator, seed }));
    return f;
  });
}
