import { KvsimInputError } from "../errors.js";
import { parseScenario, resolveScenario } from "../hierarchy/load-scenario.js";
import { scenarioPreset } from "../hierarchy/presets.js";
import type { Scenario } from "../hierarchy/scenario.js";
import { policyInfo, resolvePolicyParams, type Profile } from "../policies/registry.js";
import { detectFormat, type TraceFormat } from "../traces/trace-format.js";
import { withUnitPages, type Trace } from "../traces/trace.js";
import { sha256Hex } from "../util/sha256.js";
import { resolveWorkloadParams, workloadInfo } from "../workloads/registry.js";
import type { SweepSpec } from "./spec.js";

/** One run of the cross product. */
export interface SweepRow {
  /** Position in the sweep order (seed → scenario → workload → policy). */
  index: number;
  /** Unique, stable id: `scenario/workload/policy/seed`; what `--resume` matches on. */
  key: string;
  scenario: Scenario;
  workload: string;
  traceId: number;
  /** The policy's label (its name unless the spec gives one or sets parameters). */
  policy: string;
  policyName: string;
  params: Record<string, number>;
  /** The spec's seed for this row, or null when the spec gives none. */
  seed: number | null;
}

export interface SweepPlan {
  name: string;
  profile: Profile;
  /** sha256 of the resolved spec (scenarios inlined, parameters filled, trace contents hashed). */
  specHash: string;
  rows: SweepRow[];
  /** Every distinct trace the rows replay, by traceId. */
  traces: Trace[];
  /** sha256 of each trace's contents, by traceId: what a remote worker fetches it by. */
  traceDigests: string[];
}

/** Where a spec came from: relative paths in it resolve against `baseDir`; `source` names it in errors. */
export interface SpecOrigin {
  source: string;
  baseDir: string;
}

/**
 * Where the files a spec names come from: the file system in Node (`plan-files.ts`), the files a
 * user dropped in the browser. Planning itself touches neither, so it runs in both.
 */
export interface SweepSources {
  /** A scenario given as a path (not a preset name). */
  scenario(path: string, origin: SpecOrigin): Scenario;
  /** A trace file: `id` tells equal files apart; `list` reads every entry of a khl-json file. */
  traceFile(path: string, origin: SpecOrigin): { id: string; name: string; read(format: TraceFormat, index: number): Promise<Trace>; list(): Trace[] };
}

const describeParams = (params: Record<string, unknown>): string =>
  Object.keys(params).length ? `(${Object.entries(params).map(([k, v]) => `${k}=${v}`).join(",")})` : "";

/** An input error prefixed with the spec field it concerns; other errors unchanged. */
function located(origin: SpecOrigin, path: string, err: unknown): unknown {
  return err instanceof KvsimInputError ? new KvsimInputError(`${origin.source}: ${path}: ${err.message}`) : err;
}

function at<T>(origin: SpecOrigin, path: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw located(origin, path, err);
  }
}

async function atAsync<T>(origin: SpecOrigin, path: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw located(origin, path, err);
  }
}

function checkUnique(origin: SpecOrigin, field: string, labels: string[]): void {
  const seen = new Map<string, number>();
  labels.forEach((l, i) => {
    const first = seen.get(l);
    if (first !== undefined) {
      throw new KvsimInputError(`${origin.source}: ${field}.${i}: duplicate label "${l}" (same as ${field}.${first}; give one a "label")`);
    }
    seen.set(l, i);
  });
}

function resolveScenarios(spec: SweepSpec, origin: SpecOrigin, sources: SweepSources): Scenario[] {
  const scenarios = spec.scenarios.map((entry, i) => at(origin, `scenarios.${i}`, () => {
    if (typeof entry !== "string") return parseScenario(entry, "inline scenario");
    return scenarioPreset(entry) ? resolveScenario(entry) : sources.scenario(entry, origin);
  }));
  checkUnique(origin, "scenarios", scenarios.map((s) => s.name));
  return scenarios;
}

interface PolicyColumn {
  label: string;
  name: string;
  params: Record<string, number>;
}

function resolvePolicies(spec: SweepSpec, origin: SpecOrigin): PolicyColumn[] {
  const columns = spec.policies.map((entry, i) => at(origin, `policies.${i}`, () => {
    const e = typeof entry === "string" ? { name: entry, params: {} } : entry;
    const info = policyInfo(e.name);
    if (!info.profiles.includes(spec.profile)) {
      throw new KvsimInputError(`policy "${e.name}" does not exist in the ${spec.profile} profile`);
    }
    const params = resolvePolicyParams(info, e.params, spec.profile);
    return { label: ("label" in e && e.label) || e.name + describeParams(e.params), name: e.name, params };
  }));
  checkUnique(origin, "policies", columns.map((c) => c.label));
  return columns;
}

/** A workload column: how to get its trace for a given seed. */
interface WorkloadColumn {
  label: string;
  traceFor(seed: number | null): Promise<Trace>;
  /** Identifies the trace a seed yields, so equal traces are built and shipped once. */
  cacheKey(seed: number | null): string;
}

function resolveWorkloads(spec: SweepSpec, origin: SpecOrigin, sources: SweepSources): WorkloadColumn[] {
  const khlLists = new Map<string, Trace[]>();
  const columns = spec.workloads.map((entry, i): WorkloadColumn => at(origin, `workloads.${i}`, () => {
    const e = typeof entry === "string" ? { name: entry, params: {} } : entry;
    if ("name" in e) {
      const info = workloadInfo(e.name);
      const fixed = resolveWorkloadParams(info, e.params);
      const seeded = info.params.some((p) => p.name === "seed") && !("seed" in e.params);
      const paramsFor = (seed: number | null) => (seed !== null && seeded ? { ...fixed, seed } : fixed);
      return {
        label: e.label ?? e.name + describeParams(e.params),
        traceFor: async (seed) => ({ ...info.generate(paramsFor(seed)), name: e.label ?? e.name }),
        cacheKey: (seed) => `gen:${e.name}:${JSON.stringify(paramsFor(seed))}`,
      };
    }
    const file = sources.traceFile(e.trace, origin);
    const format = e.format ?? detectFormat(e.trace);
    if (e.workload !== undefined && format !== "khl-json") throw new KvsimInputError(`"workload" selects an entry of a khl-json trace list only`);
    if (e.workload !== undefined && e.index !== undefined) throw new KvsimInputError(`give "index" or "workload", not both`);
    let index = e.index ?? 0;
    let name = e.label;
    if (e.workload !== undefined) {
      if (!khlLists.has(file.id)) khlLists.set(file.id, file.list());
      const list = khlLists.get(file.id)!;
      index = list.findIndex((t) => t.name === e.workload);
      if (index < 0) throw new KvsimInputError(`${e.trace} has no trace for workload "${e.workload}" (it has ${list.map((t) => t.name).join(", ")})`);
      name ??= e.workload;
    }
    const label = name ?? (format === "khl-json" ? `${file.name}#${index}` : file.name);
    const sized = (trace: Trace): Trace => (e.ignoreObjectSize ? withUnitPages(trace) : trace);
    return {
      label,
      traceFor: async () => ({ ...sized(await file.read(format, index)), name: label }),
      cacheKey: () => `file:${file.id}:${format}:${index}:${e.ignoreObjectSize ? "unit" : "sized"}`,
    };
  }));
  checkUnique(origin, "workloads", columns.map((c) => c.label));
  return columns;
}

const bytesOf = (a: ArrayBufferView | undefined): Uint8Array => (a ? new Uint8Array(a.buffer, a.byteOffset, a.byteLength) : new Uint8Array(0));

function traceDigest(trace: Trace): Promise<string> {
  return sha256Hex([`${trace.numPages}:`, bytesOf(trace.accesses), bytesOf(trace.pageScalars), "|", bytesOf(trace.pageBytes), "|"]);
}

/** How many rows the spec's plan will have (one per seed × scenario × workload × policy), without building any trace. */
export function sweepRowCount(spec: SweepSpec): number {
  return (spec.seeds ?? [null]).length * spec.scenarios.length * spec.workloads.length * spec.policies.length;
}

/**
 * Expands a validated spec into its rows and builds (or reads) every trace they need. Every input
 * error — unknown policy or parameter, missing file, bad trace line — surfaces here, before any
 * run starts, prefixed with the spec field it comes from.
 */
export async function planSweepWith(spec: SweepSpec, origin: SpecOrigin, sources: SweepSources): Promise<SweepPlan> {
  const scenarios = resolveScenarios(spec, origin, sources);
  const workloads = resolveWorkloads(spec, origin, sources);
  const policies = resolvePolicies(spec, origin);
  const seeds: (number | null)[] = spec.seeds ?? [null];
  if (new Set(seeds).size !== seeds.length) throw new KvsimInputError(`${origin.source}: seeds: duplicate seed`);

  const traces: Trace[] = [];
  const traceIds = new Map<string, number>();
  const digests: string[] = [];
  const rows: SweepRow[] = [];
  for (const seed of seeds) {
    for (const scenario of scenarios) {
      for (const [w, workload] of workloads.entries()) {
        const cacheKey = workload.cacheKey(seed);
        let traceId = traceIds.get(cacheKey);
        if (traceId === undefined) {
          const trace = await atAsync(origin, `workloads.${w}`, () => workload.traceFor(seed));
          traceId = traces.push(trace) - 1;
          traceIds.set(cacheKey, traceId);
          digests.push(await traceDigest(trace));
        }
        for (const policy of policies) {
          rows.push({
            index: rows.length,
            key: `${scenario.name}/${workload.label}/${policy.label}/${seed ?? "default"}`,
            scenario, workload: workload.label, traceId, policy: policy.label, policyName: policy.name,
            params: policy.params, seed,
          });
        }
      }
    }
  }
  if (new Set(rows.map((r) => r.key)).size !== rows.length) {
    throw new KvsimInputError(`${origin.source}: two rows share a key; labels containing '/' are ambiguous`);
  }
  const resolved = {
    name: spec.name, profile: spec.profile, seeds,
    rows: rows.map((r) => ({ key: r.key, scenario: r.scenario, policy: r.policyName, params: r.params, trace: digests[r.traceId] })),
  };
  const specHash = await sha256Hex([JSON.stringify(resolved)]);
  return { name: spec.name, profile: spec.profile, specHash, rows, traces, traceDigests: digests };
}
