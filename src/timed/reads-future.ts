import { KvsimInputError } from "../errors.js";
import { policyInfo, POLICIES } from "../policies/registry.js";
import type { ServingRequest } from "./requests.js";

/** What says whether a run's block policies read the future: its scheduler and its tiers' policies. */
export interface FutureOptions {
  scheduler?: string;
  eviction?: string;
  hostTier?: { eviction?: string };
}

const readsFuture = (policy: string): boolean => POLICIES.some((p) => p.name === policy) && policyInfo(policy).future;

/**
 * The option naming the first of vllm's tiers whose policy reads the trace's future (belady), if
 * any (the host tier's named `hostField`): such a run is given every block's next use (future.ts),
 * so it needs all its requests first.
 */
export function futureField(options: FutureOptions, hostField = "host tier: eviction"): string | undefined {
  if ((options.scheduler ?? "vllm") !== "vllm") return undefined;
  if (readsFuture(options.eviction ?? "lru")) return "eviction";
  const host = options.hostTier?.eviction;
  return host !== undefined && readsFuture(host) ? hostField : undefined;
}

/** The requests as a run with these options takes them: all first when a policy reads the future (a generated workload drawn whole), else as they come. */
export function requestsFor(options: FutureOptions, requests: Iterable<ServingRequest>): Iterable<ServingRequest> {
  return futureField(options) !== undefined && !Array.isArray(requests) ? [...requests] : requests;
}

/** Throws unless a fleet can run these options: no instance knows its requests' future, the router placing each as it arrives. */
export function checkFleetFuture(options: FutureOptions, hostField?: string): void {
  const field = futureField(options, hostField);
  if (field === undefined) return;
  throw new KvsimInputError(
    `${field}: ${field === "eviction" ? options.eviction : options.hostTier!.eviction} needs the next use of each request's blocks on its instance, which a fleet does not know (its router places each request as it arrives); run one instance or another policy`,
  );
}
