import type { SweepResult } from "../sweep/result.js";
import type { SweepSpecInput } from "../sweep/spec.js";
import { pageBytes } from "../simulate.js";
import { checkTrace, withUnitPages, type Trace } from "../traces/trace.js";
import { lruStackCurve, shardsThreshold, type CurvePoint } from "./lru-stack-curve.js";
import { oneCache } from "./one-cache.js";
import { API_FIELD_NAMES, checkCurveRequest, type CurveRequest, type FieldNames } from "./request.js";
import { resolveSizes } from "./sizes.js";
import { workingSet } from "./working-set.js";
import { SAMPLE_ALL } from "../wasm/stack-distances.js";

export type { CurvePoint } from "./lru-stack-curve.js";

/** How a curve was made: LRU's one pass (exact, or SHARDS-sampled), or one replay per size. */
export type CurveMethod = "stack-distances" | "shards" | "replays";

export interface MissRatioCurve {
  policy: string;
  method: CurveMethod;
  /** By size, ascending. */
  points: CurvePoint[];
}

export interface MissRatioCurves {
  /** The trace's accesses. */
  requests: number;
  /** Distinct objects (pages) accessed. */
  objects: number;
  /** What a size counts: objects (`ignoreObjectSize`) or bytes. */
  unit: "objects" | "bytes";
  /** The working set in that unit (distinct objects, or their bytes): what percentages are of. */
  workingSet: number;
  /** The rate SHARDS kept when the LRU curve is sampled (the asked rate rounded to the hash's grain). */
  sampleRate?: number;
  curves: MissRatioCurve[];
}

/** A sampling rate as people write it: the kept rate to 6 significant digits (0.1, not 0.10000000009313226). */
export const shownRate = (rate: number): string => String(Number(rate.toPrecision(6)));

export interface MissRatioCurveOptions extends CurveRequest {
  trace: Trace;
  /** Worker threads for the replays (default: available parallelism, or this thread for small traces). */
  threads?: number;
}

/** Runs a sweep spec whose one trace workload is `trace.kvt`, given in memory, and returns its results in row order. */
export type ReplaySweep = (spec: SweepSpecInput, files: Record<string, Trace[]>, threads?: number) => Promise<SweepResult[]>;

/** The sweep of every size × replayed policy: one single-cache scenario per size. */
function replaySpec(sizes: readonly number[], unit: string, policies: readonly string[], options: MissRatioCurveOptions): SweepSpecInput {
  return {
    name: "mrc", profile: options.profile ?? "kvsim",
    scenarios: sizes.map((s): Record<string, unknown> => ({ ...oneCache(s, unit) })),
    workloads: [{ trace: "trace.kvt", label: "trace", ignoreObjectSize: options.ignoreObjectSize ?? false }],
    policies: [...policies],
  };
}

/**
 * Miss-ratio curves of `options.trace` for every policy at every size. Everything the options
 * say is checked before any work (errors name the field as `names` calls it). LRU takes one pass
 * over its stack distances (exact; SHARDS-sampled with `sampleRate`) unless `exactReplays`; every
 * other policy is replayed once per size through `runSweep`.
 */
export async function missRatioCurvesWith(options: MissRatioCurveOptions, runSweep: ReplaySweep, names: FieldNames = API_FIELD_NAMES): Promise<MissRatioCurves> {
  const request = checkCurveRequest(options, names);
  const { trace } = options;
  checkTrace(trace);
  const unit = options.ignoreObjectSize ? "objects" : "bytes";
  const sized = options.ignoreObjectSize ? withUnitPages(trace) : trace;
  const bytes = pageBytes(sized, oneCache(1));
  const ws = workingSet(trace.accesses, bytes);
  const whole = unit === "objects" ? ws.objects : ws.bytes;
  const sizes = resolveSizes(request.sizes, whole, unit, unit === "objects" ? 1 : ws.largestPageBytes, names.sizes);

  const replayed = request.policies.filter((p) => !(p === "lru" && request.onePassLru));
  const results = replayed.length ? await runSweep(replaySpec(sizes, unit, replayed, options), { "trace.kvt": [trace] }, options.threads) : [];
  const missesOf = new Map(results.map((r) => [`${r.policy}/${r.scenario}`, r.metrics.misses]));
  const requests = trace.accesses.length;
  const replayCurve = (policy: string): MissRatioCurve => ({
    policy, method: "replays",
    points: sizes.map((size) => {
      const misses = missesOf.get(`${policy}/${oneCache(size, unit).name}`)!;
      return { size, misses, missRatio: requests ? misses / requests : 0 };
    }),
  });
  const curves = request.policies.map((policy): MissRatioCurve => {
    if (policy !== "lru" || !request.onePassLru) return replayCurve(policy);
    const input = { accesses: trace.accesses, numPages: trace.numPages, weights: unit === "bytes" ? bytes : undefined };
    return { policy, method: options.sampleRate === undefined ? "stack-distances" : "shards", points: lruStackCurve(input, sizes, options.sampleRate) };
  });
  const sampleRate = options.sampleRate === undefined ? {} : { sampleRate: shardsThreshold(options.sampleRate) / SAMPLE_ALL };
  return { requests, objects: ws.objects, unit, workingSet: whole, ...sampleRate, curves };
}
