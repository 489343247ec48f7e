import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { FleetArtifactWriter } from "../timed/fleet-artifacts.js";
import { fleetSummary, simulateFleet, type FleetSimulation } from "../timed/fleet.js";
import type { ServingRequest } from "../timed/requests.js";
import type { SessionAffinity } from "../timed/routers/session-affinity.js";
import type { ServingSummary, Distribution } from "../timed/results.js";
import type { SimulateServingOptions } from "../timed/simulate.js";
import { ms, table } from "./format.js";

export interface FleetFlags {
  instances: number;
  router: string;
  sessionAffinity: SessionAffinity;
  json: boolean;
  /** A directory already checked (outputs.ts): the fleet's files go there. */
  out?: string;
}

/** `kvsim serving simulate --instances N --router R`: the fleet's figures, then each instance's (simulated); with --out, its files. */
export async function runFleet(options: Omit<SimulateServingOptions, "requests">, requests: readonly ServingRequest[], flags: FleetFlags): Promise<void> {
  const { instances, router, sessionAffinity, out } = flags;
  if (out) mkdirSync(out, { recursive: true });
  const writer = out ? new FleetArtifactWriter(out, instances) : undefined;
  let sim: FleetSimulation;
  try {
    sim = simulateFleet({ ...options, requests, instances, router, sessionAffinity, sinkOf: writer && ((i) => writer.sinkOf(i)) });
  } catch (err) {
    writer?.discard();
    throw err;
  }
  const written = writer ? await writer.finish(sim) : [];
  if (flags.json) return console.log(JSON.stringify(fleetSummary(sim)));
  const f = sim.fleet;
  console.log(`${f.requests} requests on ${instances} × ${f.model} on ${f.gpu} behind the ${router} router${sessionAffinity === "pinned" ? " with sessions pinned" : ""}, ` +
    `${f.scheduler} timed by ${f.timeModel}, ${f.kvBlocks} KV blocks each (simulated; simulation took ${f.simulationMs.toFixed(1)} ms)`);
  const row = (name: string, d: Distribution) => [name, ms(d.p50), ms(d.p90), ms(d.p99), ms(d.mean)];
  console.log(table(["fleet, ms", "p50", "p90", "p99", "mean"], [row("TTFT", f.ttft), row("TPOT", f.tpot), row("ITL", f.itl), row("E2E", f.e2e)]));
  if (f.goodput) console.log(`goodput: ${f.goodput.requestsPerS.toFixed(2)} requests/s meet the SLOs (${(f.goodput.attainment * 100).toFixed(1)}% of requests)`);
  // A disk tier's column only with one, so that other runs print what they printed before.
  const disk = f.diskTier !== null;
  const perInstance = (s: ServingSummary, i: number) => [
    i, s.requests, ms(s.ttft.p50), ms(s.ttft.p99), s.prefixHitTokens, s.hostTier?.hitTokens ?? "–", ...(disk ? [s.diskTier!.hitTokens] : []), s.preemptions, `${(s.kvUtilization.mean * 100).toFixed(1)}%`,
  ];
  console.log(table(["instance", "requests", "TTFT p50 ms", "TTFT p99 ms", "GPU hit tokens", "host hit tokens", ...(disk ? ["disk hit tokens"] : []), "preemptions", "KV use"], sim.instances.map(perInstance)));
  if (out) console.log(`wrote ${written.map((file) => join(out, file)).join(", ")}`);
}
