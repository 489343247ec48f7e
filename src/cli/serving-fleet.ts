import { simulateFleet } from "../timed/fleet.js";
import type { ServingRequest } from "../timed/requests.js";
import type { ServingSummary, Distribution } from "../timed/results.js";
import type { SimulateServingOptions } from "../timed/simulate.js";
import { ms, table } from "./format.js";

/** `kvsim serving simulate --instances N --router R`: the fleet's figures, then each instance's (simulated). */
export function printFleet(options: Omit<SimulateServingOptions, "requests">, requests: readonly ServingRequest[], instances: number, router: string, json: boolean): void {
  const sim = simulateFleet({ ...options, requests, instances, router });
  if (json) return console.log(JSON.stringify({ router: sim.router, fleet: sim.fleet, instances: sim.instances }));
  const f = sim.fleet;
  console.log(`${f.requests} requests on ${instances} × ${f.model} on ${f.gpu} behind the ${router} router, ${f.scheduler} timed by ${f.timeModel}, ${f.kvBlocks} KV blocks each ` +
    `(simulated; simulation took ${f.simulationMs.toFixed(1)} ms)`);
  const row = (name: string, d: Distribution) => [name, ms(d.p50), ms(d.p90), ms(d.p99), ms(d.mean)];
  console.log(table(["fleet, ms", "p50", "p90", "p99", "mean"], [row("TTFT", f.ttft), row("TPOT", f.tpot), row("ITL", f.itl), row("E2E", f.e2e)]));
  if (f.goodput) console.log(`goodput: ${f.goodput.requestsPerS.toFixed(2)} requests/s meet the SLOs (${(f.goodput.attainment * 100).toFixed(1)}% of requests)`);
  const perInstance = (s: ServingSummary, i: number) => [i, s.requests, ms(s.ttft.p50), ms(s.ttft.p99), s.prefixHitTokens, s.hostTier?.hitTokens ?? "–", s.preemptions, `${(s.kvUtilization.mean * 100).toFixed(1)}%`];
  console.log(table(["instance", "requests", "TTFT p50 ms", "TTFT p99 ms", "GPU hit tokens", "host hit tokens", "preemptions", "KV use"], sim.instances.map(perInstance)));
}
