import { KvsimInputError } from "./errors.js";
import { footprintBytes, quantizationScheme } from "./hierarchy/quantization.js";
import type { Scenario } from "./hierarchy/scenario.js";
import { policyInfo, resolvePolicyParams, type Profile } from "./policies/registry.js";
import { checkTrace, DEFAULT_PAGE_SCALARS, type Trace } from "./traces/trace.js";
import { instantiateEngine, type EngineExports } from "./wasm/engine-module.js";

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
  /** Reuse an engine instance (a worker keeps one); a fresh one is made otherwise. */
  engine?: EngineExports;
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

const PROFILE_IDS: Record<Profile, number> = { kvsim: 0, khl: 1 };
const EVENT_TYPES: EventType[] = ["promote", "prefetch", "demote", "evict"];
const RUN_FIELDS = 15;
const TIER_FIELDS = 6;
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
export function startRun(options: SimulateOptions): EngineExports {
  const { scenario, trace } = options;
  const profile = options.profile ?? "kvsim";
  const info = policyInfo(options.policy);
  if (!info.profiles.includes(profile)) {
    throw new KvsimInputError(`policy "${info.name}" is not available in the ${profile} profile (it needs exclusive residency)`);
  }
  const params = resolvePolicyParams(info, options.params);
  checkTrace(trace);
  const sizes = pageBytes(trace, scenario);
  const penalty = quantizationScheme(scenario.quantization).decodePenaltyMs;
  const eventCapacity = options.eventCapacity ?? 0;
  const tiers = scenario.tiers;
  const wasm = options.engine ?? instantiateEngine();

  wasm.resetArena();
  wasm.setup(trace.numPages, tiers.length, PROFILE_IDS[profile], penalty, options.seed ?? 0, eventCapacity);
  new Int32Array(wasm.memory.buffer, wasm.pageSizes(), trace.numPages).set(sizes);
  tiers.forEach((t, i) => wasm.setTier(i, t.capacityBytes, t.readLatencyMs, t.writeLatencyMs, t.bandwidthBytesPerMs));
  const n = trace.accesses.length;
  const tracePtr = wasm.traceBuffer(n);
  new Int32Array(wasm.memory.buffer, tracePtr, n).set(trace.accesses);
  const paramValues = info.params.map((p) => params[p.name]!);
  const paramsPtr = wasm.paramsBuffer(paramValues.length);
  new Float64Array(wasm.memory.buffer, paramsPtr, paramValues.length).set(paramValues);

  const oversized = wasm.start(info.wasmId, scenario.prefetch.enabled ? 1 : 0, scenario.prefetch.maxCandidates);
  if (oversized >= 0) {
    const largest = sizes.reduce((a, b) => Math.max(a, b), 0);
    const page = sizes.indexOf(largest);
    throw new KvsimInputError(
      `page ${trace.pageIds?.[page] ?? page} (${largest} bytes) is larger than tier "${tiers[oversized]!.name}" ` +
        `(${tiers[oversized]!.capacityBytes} bytes) of scenario "${scenario.name}"`,
    );
  }
  return wasm;
}

/** Replays a trace through the WASM engine under one scenario and policy. */
export function simulate(options: SimulateOptions): SimulationResult {
  const { scenario, trace } = options;
  const profile = options.profile ?? "kvsim";
  const tiers = scenario.tiers;
  const wasm = startRun(options);
  const n = trace.accesses.length;
  const t0 = performance.now();
  const chunk = options.audit ? 1 : CHUNK;
  for (let from = 0; from < n; from += chunk) {
    const to = Math.min(n, from + chunk);
    if (wasm.replay(from, to) !== to - from) break;
    if (options.audit) {
      const view = new Int32Array(wasm.memory.buffer, wasm.auditBuffer(), trace.numPages + tiers.length).slice();
      options.audit({
        step: from,
        masks: view.subarray(0, trace.numPages),
        tierPages: view.subarray(trace.numPages),
        metrics: readResults(wasm, scenario, trace, profile, 0).metrics,
      });
    }
  }
  wasm.finish();
  const replayMs = performance.now() - t0;
  if (wasm.errorCode() !== 0) {
    throw new Error(`engine could not place page ${wasm.errorPage()} in tier ${wasm.errorTier()} (error ${wasm.errorCode()})`);
  }
  return { ...readResults(wasm, scenario, trace, profile, options.eventCapacity ?? 0), replayMs };
}

function readResults(
  wasm: EngineExports, scenario: Scenario, trace: Trace, profile: Profile, eventCapacity: number,
): Omit<SimulationResult, "replayMs"> {
  const tiers = scenario.tiers;
  const m = new Float64Array(wasm.memory.buffer, wasm.metricsBuffer(), RUN_FIELDS + TIER_FIELDS * tiers.length).slice();
  const [accesses, hits, misses, coldMisses, evictions, drops, totalLatency, bytesMoved, demand, prefetchBytes,
    requests, useful, wasted, eventCount, dropBytes] = m as unknown as number[];
  const tierMetrics: TierMetrics[] = tiers.map((t, i) => {
    const o = RUN_FIELDS + TIER_FIELDS * i;
    return {
      name: t.name, hits: m[o]!, peakBytes: m[o + 1]!, bytesIn: m[o + 2]!, bytesOut: m[o + 3]!,
      evictions: m[o + 4]!, usedBytes: m[o + 5]!,
    };
  });
  const tierHitRate: Record<string, number> = {};
  for (const t of tierMetrics) if (t.hits > 0) tierHitRate[t.name] = t.hits / accesses!;
  const peakFootprintBytes: Record<string, number> = {};
  if (accesses! > 0) for (const t of tierMetrics) peakFootprintBytes[t.name] = t.peakBytes;
  const metrics: Metrics = {
    accesses: accesses!,
    hits: hits!,
    misses: misses!,
    coldMisses: coldMisses!,
    evictions: evictions!,
    drops: drops!,
    dropBytes: dropBytes!,
    // kv-hierarchy-lab defines the hit rate as one minus the miss ratio; kvsim as hits / accesses.
    hitRate: accesses! === 0 ? 0 : profile === "khl" ? 1 - misses! / accesses! : hits! / accesses!,
    avgLatencyMs: accesses! === 0 ? 0 : totalLatency! / accesses!,
    totalLatencyMs: totalLatency!,
    bytesMoved: bytesMoved!,
    demandBytesMoved: demand!,
    prefetchBytesMoved: prefetchBytes!,
    prefetchRequests: requests!,
    usefulPrefetches: useful!,
    wastedPrefetches: wasted!,
    prefetchUsefulness: requests! === 0 ? 0 : useful! / requests!,
    tierHitRate,
    peakFootprintBytes,
    tiers: tierMetrics,
  };
  if (eventCapacity === 0) return { metrics };
  const kept = Math.min(eventCount!, eventCapacity);
  const view = <T extends Int32Array | Float64Array>(Ctor: new (b: ArrayBuffer, o: number, l: number) => T, ptr: number): T =>
    new Ctor(wasm.memory.buffer, ptr, kept);
  const steps = view(Int32Array, wasm.eventSteps());
  const types = view(Int32Array, wasm.eventTypes());
  const pages = view(Int32Array, wasm.eventPages());
  const srcs = view(Int32Array, wasm.eventSources());
  const dsts = view(Int32Array, wasm.eventTargets());
  const lats = view(Float64Array, wasm.eventLatencies());
  const bytes = view(Float64Array, wasm.eventBytes());
  const tierName = (i: number): string | null => (i >= 0 ? tiers[i]!.name : null);
  const events: SimulationEvent[] = [];
  for (let i = 0; i < kept; i++) {
    events.push([steps[i]!, EVENT_TYPES[types[i]!]!, trace.pageIds?.[pages[i]!] ?? String(pages[i]),
      tierName(srcs[i]!), tierName(dsts[i]!), lats[i]!, bytes[i]!]);
  }
  return { metrics, events, eventsDropped: eventCount! - kept };
}
