import * as z from "zod/mini";
import { KvsimInputError } from "../../errors.js";
import { readJsonFile, validate } from "../../json-file.js";
import { writeFileAtomic } from "../../report/write-atomic.js";
import { headScorerSchema, type HeadScorer } from "./scorer.js";

/** A trained KVP-lite policy: one scorer per (layer, KV head), plain JSON (loads in a browser too). */
export const learnedWeightsSchema = z.strictObject({
  format: z.literal("kvsim-token-scorer"),
  version: z.literal(1),
  headDim: z.int().check(z.gte(1)),
  heads: z.array(z.strictObject({ layer: z.int().check(z.gte(0)), head: z.int().check(z.gte(0)), scorer: headScorerSchema })),
  training: z.record(z.string(), z.unknown()),
});

export type LearnedWeights = z.output<typeof learnedWeightsSchema>;

export function readLearnedWeights(file: string): LearnedWeights {
  return validate(learnedWeightsSchema, readJsonFile(file), file);
}

export function writeLearnedWeights(file: string, weights: LearnedWeights): void {
  writeFileAtomic(file, JSON.stringify(weights) + "\n");
}

export function scorerFor(weights: LearnedWeights, layer: number, head: number): HeadScorer {
  const entry = weights.heads.find((h) => h.layer === layer && h.head === head);
  if (!entry) throw new KvsimInputError(`the learned weights have no scorer for layer ${layer}, head ${head}`);
  return entry.scorer;
}
