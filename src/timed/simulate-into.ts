import type { RunSink } from "./engine-run.js";
import type { ServingRequest } from "./requests.js";
import { simulateServing, simulateServingStream, type ServingSummary, type StreamServingOptions } from "./simulate.js";

const inArrivalOrder = (requests: readonly ServingRequest[]): boolean => requests.every((r, i) => i === 0 || r.arrival >= requests[i - 1]!.arrival);

/**
 * Simulates `requests` with every row going to `sink`, as `kvsim serving simulate` runs them:
 * streamed when they come in arrival order (a synthetic stream, a sorted trace), else whole, so
 * that each request keeps its input index as its id. Both ways give the same summary.
 */
export function simulateServingInto(options: Omit<StreamServingOptions, "requests">, requests: Iterable<ServingRequest>, sink: RunSink): ServingSummary {
  if (!Array.isArray(requests) || inArrivalOrder(requests)) return simulateServingStream({ ...options, requests }, sink);
  // A whole run keeps every gap exactly and reports no progress: the streaming options do not apply.
  const sim = simulateServing({ ...options, requests });
  sim.requests.forEach((r) => sink.request(r));
  sim.iterations.forEach((i) => sink.iteration(i));
  return sim.summary;
}
