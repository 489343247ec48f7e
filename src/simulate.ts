import { KvsimInputError } from "./errors.js";
import { footprintBytes, quantizationScheme } from "./hierarchy/quantization.js";
import type { Scenario } from "./hierarchy/scenario.js";
import { policyInfo, resolvePolicyParams, type Profile } from "./policies/registry.js";
import { checkTrace, DEFAULT_PAGE_SCALARS, objectIdsOf, type Trace } from "./traces/trace.js";
import { EventKind, HierarchyEngine, Profile as ProfileId, type HierarchyCounters } from "./wasm/hierarchy.js";

export interface SimulateOptions {
  scenario: Scenario;
  trace: Trace;
  policy: string;
  params?: Record<string, unknown>;
  /** "kvsim" (default): correct semantics. "khl": kv-hierarchy-lab parity, quirks included. */
  profile?: Profile;
  /** Seed of every random choice in the run (random victims, sampled scoring). */
  seed?: number;
  /** Record up to this many transfer events (0: none). */
  eventCapacity?: number;
  /** Reuse an engine (a worker keeps one); a fresh one is made otherwise. */
  engine?: HierarchyEngine;
  /**
   * Test and debugging aid: replays one access at a time and calls this after each with the
   * engine's state. Slow; never used for measurements.
   */
  audit?: (state: AuditState) => void;
}

/** The engine's state after one access (see `SimulateOptions.audit`). */
export interface AuditState {
  step: number;
  /** Bit t of masks[page] set ⇔ page resident in tier t. */
  masks: Int32Array;
  tierPages: Int32Array;
  metrics: Metrics;
}

export interface TierMetrics {
  name: string;
  hits: number;
  peakBytes: number;
  bytesIn: number;
  bytesOut: number;
  evictions: number;
  usedBytes: number;
}

/** Metrics of one replay. Latencies in ms, sizes in bytes; all counts are simulated. */
export interface Metrics {
  accesses: number;
  hits: number;
  misses: number;
  coldMisses: number;
  evictions: number;
  drops: number;
  /** Bytes of pages dropped from the last tier (not counted in bytesMoved). */
  dropBytes: number;
  hitRate: number;
  avgLatencyMs: number;
  totalLatencyMs: number;
  bytesMoved: number;
  demandBytesMoved: number;
  prefetchBytesMoved: number;
  prefetchRequests: number;
  usefulPrefetches: number;
  wastedPrefetches: number;
  prefetchUsefulness: number;
  /** Tiers that served at least one access (tier 0 hits, lower tiers their misses), by name. */
  tierHitRate: Record<string, number>;
  peakFootprintBytes: Record<string, number>;
  tiers: TierMetrics[];
}

export type EventType = "promote" | "prefetch" | "demote" | "evict";

/** A transfer, as kv-hierarchy-lab logs it: [step, type, page, src, dst, latencyMs, bytes]. */
export type SimulationEvent = [number, EventType, string, string | null, string | null, number, number];

export interface SimulationResult {
  metrics: Metrics;
  events?: SimulationEvent[];
  /** Events beyond eventCapacity that were counted but not kept. */
  eventsDropped?: number;
  /** Wall time of the replay alone (after setup), ms. */
  replayMs: number;
}

// libcachesim changes policies' parameters, not the engine: it runs kvsim's semantics.
const PROFILE_IDS: Record<Profile, ProfileId> = { kvsim: ProfileId.kvsim, khl: ProfileId.khl, libcachesim: ProfileId.kvsim };
const EVENT_TYPES: Record<EventKind, EventType> = {
  [EventKind.promote]: "promote", [EventKind.prefetch]: "prefetch", [EventKind.demote]: "demote", [EventKind.evict]: "evict",
};
/** Accesses per `replay` call: long enough to amortise the call, short enough to stay responsive. */
const CHUNK = 1 << 22;

/** Bytes per page under a scenario: explicit bytes, else scalars sized by the quantization. */
export function pageBytes(trace: Trace, scenario: Scenario): Int32Array {
  if (trace.pageBytes) return trace.pageBytes;
  const scheme = quantizationScheme(scenario.quantization);
  const out = new Int32Array(trace.numPages);
  for (let i = 0; i < out.length; i++) {
    const scalars = scenario.pageScalars ?? trace.pageScalars?.[i] ?? DEFAULT_PAGE_SCALARS;
    out[i] = footprintBytes(scalars, scheme);
  }
  return out;
}

/**
 * Loads a run into an engine — arena reset, page sizes, tiers, trace, policy parameters — and
 * starts it; the caller then replays (internal: `simulate` and the prefix replay share it).
 */
export function startRun(options: SimulateOptions): HierarchyEngine {
  const { scenario, trace } = options;
  const profile = options.profile ?? "kvsim";
  const info = policyInfo(options.policy);
  if (!info.profiles.includes(profile)) {
    throw new KvsimInputError(`policy "${info.name}" is not available in the ${profile} profile (it needs exclusive residency)`);
  }
  const params = resolvePolicyParams(info, options.params, profile);
  checkTrace(trace);
  const sizes = pageBytes(trace, scenario);
  const tiers = scenario.tiers;
  const engine = options.engine ?? new HierarchyEngine();
  const oversized = engine.load({
    profile: PROFILE_IDS[profile], pageBytes: sizes, ...(info.readsObjectIds ? { objectIds: objectIdsOf(trace) } : {}), tiers, decodePenaltyMs: quantizationScheme(scenario.quantization).decodePenaltyMs,
    seed: options.seed ?? 0, eventCapacity: options.eventCapacity ?? 0, accesses: trace.accesses,
    policyId: info.id, params: info.params.map((p) => params[p.name]!),
    prefetch: scenario.prefetch.enabled, maxPrefetchCandidates: scenario.prefetch.maxCandidates,
  });
  if (oversized >= 0) {
    const largest = sizes.reduce((a, b) => Math.max(a, b), 0);
    const page = sizes.indexOf(largest);
    throw new KvsimInputError(
      `page ${trace.pageIds?.[page] ?? page} (${largest} bytes) is larger than tier "${tiers[oversized]!.name}" ` +
        `(${tiers[oversized]!.capacityBytes} bytes) of scenario "${scenario.name}"`,
    );
  }
  return engine;
}

/** Replays a trace through the WASM engine under one scenario and policy. */
export function simulate(options: SimulateOptions): SimulationResult {
  const { scenario, trace } = options;
  const profile = options.profile ?? "kvsim";
  const engine = startRun(options);
  const n = trace.accesses.length;
  const t0 = performance.now();
  const chunk = options.audit ? 1 : CHUNK;
  for (let from = 0; from < n; from += chunk) {
    const to = Math.min(n, from + chunk);
    if (engine.replay(from, to) !== to - from) break;
    if (options.audit) {
      const { masks, tierPages } = engine.audit();
      options.audit({ step: from, masks, tierPages, metrics: toMetrics(engine.counters(), scenario, profile) });
    }
  }
  engine.finish();
  const replayMs = performance.now() - t0;
  const error = engine.error();
  if (error) throw new Error(`engine could not place page ${error.page} in tier ${error.tier} (error ${error.code})`);
  const counters = engine.counters();
  const metrics = toMetrics(counters, scenario, profile);
  const eventCapacity = options.eventCapacity ?? 0;
  if (eventCapacity === 0) return { metrics, replayMs };
  const kept = Math.min(counters.run.events, eventCapacity);
  return { metrics, events: readEvents(engine, kept, scenario, trace), eventsDropped: counters.run.events - kept, replayMs };
}

function toMetrics({ run, tiers: tierFields }: HierarchyCounters, scenario: Scenario, profile: Profile): Metrics {
  const tiers: TierMetrics[] = scenario.tiers.map((t, i) => ({ name: t.name, ...tierFields[i]! }));
  const { accesses, hits, misses } = run;
  const tierHitRate: Record<string, number> = {};
  for (const t of tiers) if (t.hits > 0) tierHitRate[t.name] = t.hits / accesses;
  const peakFootprintBytes: Record<string, number> = {};
  if (accesses > 0) for (const t of tiers) peakFootprintBytes[t.name] = t.peakBytes;
  return {
    accesses,
    hits,
    misses,
    coldMisses: run.coldMisses,
    evictions: run.evictions,
    drops: run.drops,
    dropBytes: run.dropBytes,
    // kv-hierarchy-lab defines the hit rate as one minus the miss ratio; kvsim as hits / accesses.
    hitRate: accesses === 0 ? 0 : profile === "khl" ? 1 - misses / accesses : hits / accesses,
    avgLatencyMs: accesses === 0 ? 0 : run.totalLatency / accesses,
    totalLatencyMs: run.totalLatency,
    bytesMoved: run.bytesMoved,
    demandBytesMoved: run.demandBytes,
    prefetchBytesMoved: run.prefetchBytes,
    prefetchRequests: run.prefetchRequests,
    usefulPrefetches: run.usefulPrefetches,
    wastedPrefetches: run.wastedPrefetches,
    prefetchUsefulness: run.prefetchRequests === 0 ? 0 : run.usefulPrefetches / run.prefetchRequests,
    tierHitRate,
    peakFootprintBytes,
    tiers,
  };
}

function readEvents(engine: HierarchyEngine, kept: number, scenario: Scenario, trace: Trace): SimulationEvent[] {
  const e = engine.events(kept);
  const tierName = (i: number): string | null => (i >= 0 ? scenario.tiers[i]!.name : null);
  const events: SimulationEvent[] = [];
  for (let i = 0; i < kept; i++) {
    events.push([e.steps[i]!, EVENT_TYPES[e.kinds[i] as EventKind], trace.pageIds?.[e.pages[i]!] ?? String(e.pages[i]),
      tierName(e.sources[i]!), tierName(e.targets[i]!), e.latencies[i]!, e.bytes[i]!]);
  }
  return events;
}
