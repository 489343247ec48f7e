import * as z from "zod/mini";
import { KvsimInputError } from "../errors.js";
import { ENVS } from "../envs/registry.js";
import { DIFFICULTIES, type Difficulty } from "../envs/agentic/constants.js";
import { parseJsonText, validate } from "../json-file.js";

/** `--env-args`: load_environment's arguments plus kvsim's rubric option. */
const envArgsSchema = z.strictObject({
  difficulty: z.optional(z.enum([...DIFFICULTIES, "all"])),
  num_examples: z.optional(z.int().check(z.gte(-1))),
  seed: z.optional(z.int().check(z.gte(0), z.lte(Number.MAX_SAFE_INTEGER))),
  eviction_quality_scale: z.optional(z.number().check(z.gte(0))),
});

export interface EnvArgs {
  difficulty: Difficulty | "all";
  seed: number;
  evictionQualityScale: number;
  /** Dataset rows from the JSON, used when `-n` is -1 (`-n N` evaluates rows 0..N-1, which never depend on N). */
  numExamples?: number;
}

/** Resolves `--env` and `--env-args` (JSON text) into load_environment's arguments. */
export function resolveEnvArgs(envId: string, json: string | undefined): EnvArgs {
  const agentic = ENVS.filter((e) => e.kind === "tool-calling");
  const spec = agentic.find((e) => e.id === envId);
  if (!spec?.difficulty) throw new KvsimInputError(`--env: unknown agentic environment "${envId}" (known: ${agentic.map((e) => e.id).join(", ")})`);
  const args = json === undefined ? {} : validate(envArgsSchema, parseJsonText(json, "--env-args"), "--env-args");
  if (args.num_examples === 0) throw new KvsimInputError("--env-args: num_examples: expected a positive integer or -1, got 0");
  if (spec.difficulty !== "all" && args.difficulty !== undefined && args.difficulty !== spec.difficulty) {
    throw new KvsimInputError(`--env-args: difficulty: ${envId} is ${spec.difficulty} only, got "${args.difficulty}"`);
  }
  return {
    difficulty: spec.difficulty !== "all" ? spec.difficulty : (args.difficulty ?? "all"),
    seed: args.seed ?? 42,
    evictionQualityScale: args.eviction_quality_scale ?? 1,
    ...(args.num_examples !== undefined ? { numExamples: args.num_examples } : {}),
  };
}
