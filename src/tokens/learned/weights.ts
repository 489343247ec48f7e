import * as z from "zod/mini";
import { KvsimInputError } from "../../errors.js";
import { readJsonFile, validate } from "../../json-file.js";
import { writeFileAtomic } from "../../report/write-atomic.js";
import { mlpLayout, mlpScorerSchema, mlpShapeOf, type MlpScorer } from "./mlp.js";
import { headScorerSchema, type HeadScorer } from "./scorer.js";

/**
 * A trained per-head policy: one scorer per (layer, KV head), plain JSON (loads in a browser
 * too). A scorer is KVP-lite's (`es`, no `kind`) or KV Policy's MLP (`pl-rloo`, `kind: "mlp"`).
 */
export const learnedWeightsSchema = z.strictObject({
  format: z.literal("kvsim-token-scorer"),
  version: z.literal(1),
  headDim: z.int().check(z.gte(1)),
  heads: z.array(z.strictObject({ layer: z.int().check(z.gte(0)), head: z.int().check(z.gte(0)), scorer: z.union([headScorerSchema, mlpScorerSchema]) })),
  training: z.record(z.string(), z.unknown()),
});

export type LearnedWeights = z.output<typeof learnedWeightsSchema>;

export function readLearnedWeights(file: string): LearnedWeights {
  const weights = validate(learnedWeightsSchema, readJsonFile(file), file);
  weights.heads.forEach(({ scorer }, i) => {
    if (!("kind" in scorer)) return;
    const size = mlpLayout(mlpShapeOf(scorer)).size;
    if (scorer.params.length !== size) throw new KvsimInputError(`${file}: heads[${i}].scorer.params has ${scorer.params.length} values; its shape needs ${size}`);
  });
  return weights;
}

export function writeLearnedWeights(file: string, weights: LearnedWeights): void {
  writeFileAtomic(file, JSON.stringify(weights) + "\n");
}

export function scorerFor(weights: LearnedWeights, layer: number, head: number): HeadScorer | MlpScorer {
  const entry = weights.heads.find((h) => h.layer === layer && h.head === head);
  if (!entry) throw new KvsimInputError(`the learned weights have no scorer for layer ${layer}, head ${head}`);
  return entry.scorer;
}
