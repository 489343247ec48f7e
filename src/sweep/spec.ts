import * as z from "zod/mini";
import { readJsonFile, validate } from "../json-file.js";
import { PROFILES, type Profile } from "../policies/registry.js";
import { TRACE_FORMATS } from "../traces/trace-format.js";

const paramValues = z.record(z.string(), z.union([z.number(), z.string()]));
const name = z.string().check(z.minLength(1));
const label = z.string().check(z.minLength(1), z.regex(/^[^/\n]+$/, "labels may not contain '/' or newlines"));

/** A built-in generator with parameter overrides. */
export const generatedWorkloadSchema = z.strictObject({
  name: name,
  params: z._default(paramValues, {}),
  label: z.optional(label),
});

/**
 * A trace file; `index` or `workload` picks one entry of a multi-trace khl-json file;
 * `ignoreObjectSize` makes every page one byte (libCacheSim's --ignore-obj-size).
 */
export const traceWorkloadSchema = z.strictObject({
  trace: name,
  format: z.optional(z.enum(TRACE_FORMATS)),
  index: z.optional(z.int().check(z.gte(0))),
  workload: z.optional(name),
  ignoreObjectSize: z.optional(z.boolean()),
  label: z.optional(label),
});

export const policyEntrySchema = z.strictObject({
  name: name,
  params: z._default(paramValues, {}),
  label: z.optional(label),
});

/**
 * A sweep: the full cross product seeds × scenarios × workloads × policies, in that nesting order.
 * Paths in it are relative to the spec file. See docs/sweeps.md.
 */
export const sweepSpecSchema = z.strictObject({
  name: name,
  description: z.optional(z.string()),
  profile: z._default(z.enum(PROFILES as [Profile, ...Profile[]]), "kvsim"),
  /** A preset name, a scenario JSON file, or an inline scenario object. */
  scenarios: z.array(z.union([name, z.record(z.string(), z.unknown())])).check(z.minLength(1)),
  /** A generator name (default parameters), a generator with parameters, or a trace file. */
  workloads: z.array(z.union([name, generatedWorkloadSchema, traceWorkloadSchema])).check(z.minLength(1)),
  policies: z.array(z.union([name, policyEntrySchema])).check(z.minLength(1)),
  /**
   * Each seed seeds the engine's random choices and, unless a workload fixes its own `seed`
   * parameter, that generator. Absent: one pass with engine seed 0 and the generators' defaults.
   */
  seeds: z.optional(z.array(z.int().check(z.gte(0), z.lte(Number.MAX_SAFE_INTEGER))).check(z.minLength(1))),
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
