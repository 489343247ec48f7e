import { z } from "zod";
import { readJsonFile, validate } from "../json-file.js";
import { PROFILES } from "../policies/registry.js";
import { TRACE_FORMATS } from "../traces/load.js";

const paramValues = z.record(z.string(), z.union([z.number(), z.string()]));
const label = z.string().min(1).regex(/^[^/\n]+$/, "labels may not contain '/' or newlines");

/** A built-in generator with parameter overrides. */
export const generatedWorkloadSchema = z.strictObject({
  name: z.string().min(1),
  params: paramValues.default({}),
  label: label.optional(),
});

/** A trace file; `index` or `workload` picks one entry of a multi-trace khl-json file. */
export const traceWorkloadSchema = z.strictObject({
  trace: z.string().min(1),
  format: z.enum(TRACE_FORMATS).optional(),
  index: z.number().int().min(0).optional(),
  workload: z.string().min(1).optional(),
  label: label.optional(),
});

export const policyEntrySchema = z.strictObject({
  name: z.string().min(1),
  params: paramValues.default({}),
  label: label.optional(),
});

/**
 * A sweep: the full cross product seeds × scenarios × workloads × policies, in that nesting order.
 * Paths in it are relative to the spec file. See docs/sweeps.md.
 */
export const sweepSpecSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  profile: z.enum(PROFILES as ["kvsim", "khl"]).default("kvsim"),
  /** A preset name, a scenario JSON file, or an inline scenario object. */
  scenarios: z.array(z.union([z.string().min(1), z.record(z.string(), z.unknown())])).min(1),
  /** A generator name (default parameters), a generator with parameters, or a trace file. */
  workloads: z.array(z.union([z.string().min(1), generatedWorkloadSchema, traceWorkloadSchema])).min(1),
  policies: z.array(z.union([z.string().min(1), policyEntrySchema])).min(1),
  /**
   * Each seed seeds the engine's random choices and, unless a workload fixes its own `seed`
   * parameter, that generator. Absent: one pass with engine seed 0 and the generators' defaults.
   */
  seeds: z.array(z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)).min(1).optional(),
});

export type SweepSpec = z.output<typeof sweepSpecSchema>;
/** What a user may write (defaults not yet applied). */
export type SweepSpecInput = z.input<typeof sweepSpecSchema>;

export function parseSweepSpec(value: unknown, source: string): SweepSpec {
  return validate(sweepSpecSchema, value, source);
}

export function readSweepSpec(file: string): SweepSpec {
  return parseSweepSpec(readJsonFile(file), file);
}
