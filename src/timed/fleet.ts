import { KvsimInputError } from "../errors.js";
import type { HostTierCounters } from "../wasm/timed.js";
import { blockHashes } from "./block-hashes.js";
import { joined, type RunSink } from "./engine-run.js";
import { FleetInstances } from "./fleet-instances.js";
import type { ServingRequest } from "./requests.js";
import { distribution, SummaryBuilder, type RequestResult, type ServingSummary } from "./results.js";
import { routerEntry } from "./routers/registry.js";
import { sessionAffinityOf, SessionPins, type SessionAffinity } from "./routers/session-affinity.js";
import { planInstances, type PlanOptions } from "./simulate.js";

/** A fleet run: N identical instances, each its own engine and GPU cache, behind a router. */
export interface FleetOptions extends PlanOptions {
  requests: readonly ServingRequest[];
  /** Instances, 1 to 64. */
  instances: number;
  /** A router of the registry (routers/registry.ts): round-robin, least-loaded, kv-aware. */
  router: string;
  /** `free` (default): the router routes every request; `pinned`: a session's later requests follow its first (routers/session-affinity.ts). */
  sessionAffinity?: SessionAffinity;
  /** Where each instance's rows also go as its engine writes them (`--out`'s files); a sink that keeps a row copies it. */
  sinkOf?: (instance: number) => RunSink;
}

export interface FleetSimulation {
  router: string;
  sessionAffinity: SessionAffinity;
  /** Every request of every instance: the fleet's figures (simulated). */
  fleet: ServingSummary;
  /** Each instance's own, in index order. */
  instances: ServingSummary[];
  /** Per request, in input order: its result and the instance it went to. */
  requests: (RequestResult & { instance: number })[];
}

export const MAX_INSTANCES = 64;

/** What `--json` prints of a fleet run and its `summary.json` holds: the simulation without its per-request rows. */
export const fleetSummary = (sim: FleetSimulation) => ({ router: sim.router, sessionAffinity: sim.sessionAffinity, fleet: sim.fleet, instances: sim.instances });

/** The host and disk tiers' counters summed over instances, busy time averaged (a fleet's link use is its instances' mean). */
function fleetCounters(all: readonly HostTierCounters[]): HostTierCounters {
  const fleet = { ...all[0]! };
  for (const key of Object.keys(fleet) as (keyof HostTierCounters)[]) {
    fleet[key] = all.reduce((s, c) => s + c[key], 0) / (key.endsWith("BusyS") ? all.length : 1);
  }
  return fleet;
}

/**
 * Simulates `instances` copies of one deployment behind a router (docs/timed.md). Requests are
 * routed in arrival order, ties in input order: before each, every instance runs up to the
 * request's arrival, so the router sees their state then; with `sessionAffinity: "pinned"`, a
 * session's later requests skip the router and follow its first. Every figure is simulated.
 */
export function simulateFleet(options: FleetOptions): FleetSimulation {
  const n = options.instances;
  if (!Number.isInteger(n) || n < 1 || n > MAX_INSTANCES) throw new KvsimInputError(`instances must be an integer from 1 to ${MAX_INSTANCES}, got ${n}`);
  const entry = routerEntry(options.router);
  const affinity = sessionAffinityOf(options.sessionAffinity ?? "free");
  const router = entry.make(n);
  const pins = affinity === "pinned" ? new SessionPins() : undefined;
  const inputs = options.requests;
  const { config, context, blockSize, hostTier } = planInstances(options, inputs);
  const results = new Array<RequestResult & { instance: number }>(inputs.length);
  const builders = Array.from({ length: n }, () => new SummaryBuilder(context));
  const fleet = new SummaryBuilder(context);
  const started = performance.now();
  // The fleet's token gaps are its instances' together: each keeps its own exactly.
  const instances = new FleetInstances(n, { config, exactGaps: Number.MAX_SAFE_INTEGER }, (i) => {
    const also = options.sinkOf?.(i);
    return {
      request(r) {
        results[r.requestId] = { ...r, instance: i };
        builders[i]!.addRequest(r);
        fleet.addRequest(r);
        also?.request(r);
      },
      iteration(it) {
        builders[i]!.addIteration(it);
        fleet.addIteration(it);
        also?.iteration(it);
      },
    };
  });
  const order = inputs.map((_, i) => i).sort((a, b) => inputs[a]!.arrival - inputs[b]!.arrival || a - b);
  for (const k of order) {
    const request = inputs[k]!;
    const pinned = pins?.pinned(request);
    // The prompt's block hashes, as its instance's pool will name its blocks (block-hashes.ts is the engine's twin); a pinned request asks no router.
    const hashes = pinned === undefined && entry.readsPrefixes ? blockHashes(request, k, request.prompt, blockSize) : undefined;
    const loads = instances.advanceTo(request.arrival, hashes);
    const instance = pinned ?? router.route({ request, blockSize }, loads);
    pins?.pin(request, instance);
    instances.send(instance, request, k);
  }
  const runs = instances.finish();
  const simulationMs = performance.now() - started;
  const host = (counters: HostTierCounters) => (hostTier ? { config: hostTier, counters } : undefined);
  const gaps = joined(runs.flatMap((r) => r.gaps!));
  return {
    router: options.router,
    sessionAffinity: affinity,
    fleet: fleet.summary(distribution(gaps), simulationMs, host(fleetCounters(runs.map((r) => r.host)))),
    instances: runs.map((r, i) => builders[i]!.summary(r.itl(), simulationMs, host(r.host))),
    requests: results,
  };
}
