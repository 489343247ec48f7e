import { EngineError, EventKind, Profile, ReplayLoop, RunField, TierField } from "../../assembly/abi/hierarchy.js";
import { StartResult } from "../../assembly/abi/policies.js";
import { engineModule, instantiate, layoutFields, view, type EngineExports, type FieldName } from "./instance.js";

export { EngineError, EventKind, Profile, ReplayLoop };

/** One tier as the engine costs it. */
export interface EngineTier {
  capacityBytes: number;
  readLatencyMs: number;
  writeLatencyMs: number;
  bandwidthBytesPerMs: number;
}

/** Everything a page-hierarchy run needs, already resolved to numbers. */
export interface HierarchyRun {
  profile: Profile;
  /** Bytes of each page; its length is the number of pages. */
  pageBytes: Int32Array;
  /** Each page's 64-bit object id as two words, low then high, for a policy that reads them (`PolicyInfo.readsObjectIds`). */
  objectIds?: Int32Array;
  tiers: readonly EngineTier[];
  decodePenaltyMs: number;
  seed: number;
  /** Transfer events to keep (0: none). */
  eventCapacity: number;
  accesses: Int32Array;
  /** The policy's id in the engine's registry and its parameters, in its declared order. */
  policyId: number;
  params: readonly number[];
  prefetch: boolean;
  maxPrefetchCandidates: number;
}

export type RunFields = Record<FieldName<typeof RunField>, number>;
export type TierFields = Record<FieldName<typeof TierField>, number>;

/** A run's counters, by the names of the declared layout. */
export interface HierarchyCounters {
  run: RunFields;
  tiers: TierFields[];
}

/** The first `count` transfer events, one column per field. */
export interface EventColumns {
  steps: Int32Array;
  kinds: Int32Array;
  pages: Int32Array;
  sources: Int32Array;
  targets: Int32Array;
  latencies: Float64Array;
  bytes: Float64Array;
}

function fields<E extends Record<string, string | number>>(layout: E, view: Float64Array, offset: number): Record<FieldName<E>, number> {
  const out: Record<string, number> = {};
  for (const name of layoutFields(layout)) out[name as string] = view[offset + (layout[name] as number)]!;
  return out as Record<FieldName<E>, number>;
}

/**
 * The page-hierarchy engine (assembly/hierarchy/) behind a typed facade. It owns its WebAssembly
 * instance: a run resets the instance's arena, so nothing else may hold views into it. One
 * facade runs one replay at a time and can be reused for any number of runs (a sweep worker
 * keeps one).
 */
export class HierarchyEngine {
  private readonly raw: EngineExports;
  private tierCount = 0;
  private pageCount = 0;

  constructor(module: WebAssembly.Module = engineModule()) {
    this.raw = instantiate(module, "hierarchy", this);
  }

  /**
   * Loads a run (arena reset, page sizes, tiers, trace, parameters) and starts it. Returns the
   * first tier some page is larger than, in which case the run was not started; else -1. An id
   * the engine's registry lacks, or parameters that do not fill the policy's struct, throw.
   */
  load(run: HierarchyRun): number {
    const w = this.raw;
    this.pageCount = run.pageBytes.length;
    this.tierCount = run.tiers.length;
    w.resetArena();
    w.setup(this.pageCount, this.tierCount, run.profile, run.decodePenaltyMs, run.seed, run.eventCapacity);
    view(w, Int32Array, w.pageSizes(), this.pageCount).set(run.pageBytes);
    if (run.objectIds) view(w, Int32Array, w.objectIdBuffer(), 2 * this.pageCount).set(run.objectIds);
    run.tiers.forEach((t, i) => w.setTier(i, t.capacityBytes, t.readLatencyMs, t.writeLatencyMs, t.bandwidthBytesPerMs));
    const n = run.accesses.length;
    view(w, Int32Array, w.traceBuffer(n), n).set(run.accesses);
    view(w, Float64Array, w.paramsBuffer(run.params.length), run.params.length).set(run.params);
    const result = w.start(run.policyId, run.prefetch, run.maxPrefetchCandidates);
    if (result === StartResult.unknownPolicy) throw new Error(`the engine has no policy with id ${run.policyId}`);
    if (result === StartResult.wrongParameterCount) throw new Error(`policy ${run.policyId} takes other parameters than the ${run.params.length} given`);
    return result;
  }

  /** Replays accesses [from, to); returns how many were replayed (fewer: see `error`). */
  replay(from: number, to: number): number {
    return this.raw.replay(from, to);
  }

  /** Ends the run: pending prefetches are counted as wasted. */
  finish(): void {
    this.raw.finish();
  }

  /** Why the replay stopped early, or null. */
  error(): { code: EngineError; page: number; tier: number } | null {
    const code = this.raw.errorCode() as EngineError;
    return code === EngineError.none ? null : { code, page: this.raw.errorPage(), tier: this.raw.errorTier() };
  }

  /** A copy of the run's counters. */
  counters(): HierarchyCounters {
    const values = view(this.raw, Float64Array, this.raw.metricsBuffer(), RunField.COUNT + TierField.COUNT * this.tierCount);
    const tiers: TierFields[] = [];
    for (let t = 0; t < this.tierCount; t++) tiers.push(fields(TierField, values, RunField.COUNT + TierField.COUNT * t));
    return { run: fields(RunField, values, 0), tiers };
  }

  /** Copies of the first `count` events (at most the run's event capacity). */
  events(count: number): EventColumns {
    const w = this.raw;
    const ints = (pointer: number) => view(w, Int32Array, pointer, count).slice();
    const floats = (pointer: number) => view(w, Float64Array, pointer, count).slice();
    return {
      steps: ints(w.eventSteps()), kinds: ints(w.eventTypes()), pages: ints(w.eventPages()), sources: ints(w.eventSources()),
      targets: ints(w.eventTargets()), latencies: floats(w.eventLatencies()), bytes: floats(w.eventBytes()),
    };
  }

  /** Each page's resident-tier mask (bit t: resident in tier t), then each tier's page count. */
  audit(): { masks: Int32Array; tierPages: Int32Array } {
    const state = view(this.raw, Int32Array, this.raw.auditBuffer(), this.pageCount + this.tierCount).slice();
    return { masks: state.subarray(0, this.pageCount), tierPages: state.subarray(this.pageCount) };
  }

  /**
   * Replays a loaded trace as requests (the prefix-cache experiment, assembly/blocks/prefix-replay.ts):
   * request r spans accesses [offsets[r], offsets[r + 1]). Returns the requests completed and the
   * blocks served as part of a cached prefix.
   */
  replayRequests(offsets: Int32Array): { done: number; prefixHitBlocks: number } {
    const count = offsets.length - 1;
    view(this.raw, Int32Array, this.raw.requestBuffer(count), count + 1).set(offsets);
    const done = this.raw.replayRequests(count);
    return { done, prefixHitBlocks: this.raw.prefixHits() };
  }
}
