import { KvsimInputError } from "../errors.js";
import { POLICIES } from "../policies/registry.js";
import type { ServingRequest } from "./requests.js";

/** What says whether a run's block policies read the future: its scheduler and its tiers' policies. */
export interface FutureOptions {
  scheduler?: string;
  eviction?: string;
  hostTier?: { eviction?: string; disk?: { eviction?: string } };
}

const readsFuture = (policy: string): boolean => POLICIES.find((p) => p.name === policy)?.future ?? false;

/** The option naming each of vllm's tiers below the GPU, in messages: the API's, or a sweep's or the CLI's. */
export interface TierFields {
  host: string;
  disk: string;
}
const API_FIELDS: TierFields = { host: "host tier: eviction", disk: "disk tier: eviction" };

/** The policy the option `field` gives, by `futureField`'s naming. */
const policyOf = (options: FutureOptions, field: string, fields: TierFields): string | undefined =>
  field === "eviction" ? options.eviction : field === fields.host ? options.hostTier?.eviction : options.hostTier?.disk?.eviction;

/**
 * The option naming the first of vllm's tiers whose policy reads the trace's future (belady), if
 * any (the host and disk tiers' named by `fields`): such a run is given every block's next use
 * (future.ts), so it needs all its requests first.
 */
export function futureField(options: FutureOptions, fields: TierFields = API_FIELDS): string | undefined {
  if ((options.scheduler ?? "vllm") !== "vllm") return undefined;
  return ["eviction", fields.host, fields.disk].find((field) => {
    const policy = field === "eviction" ? options.eviction ?? "lru" : policyOf(options, field, fields);
    return policy !== undefined && readsFuture(policy);
  });
}

/** The requests as a run with these options takes them: all first when a policy reads the future (a generated workload drawn whole), else as they come. */
export function requestsFor(options: FutureOptions, requests: Iterable<ServingRequest>): Iterable<ServingRequest> {
  return futureField(options) !== undefined && !Array.isArray(requests) ? [...requests] : requests;
}

/** Throws unless a fleet can run these options: no instance knows its requests' future, the router placing each as it arrives. */
export function checkFleetFuture(options: FutureOptions, fields: TierFields = API_FIELDS): void {
  const field = futureField(options, fields);
  if (field === undefined) return;
  throw new KvsimInputError(
    `${field}: ${policyOf(options, field, fields)} needs the next use of each request's blocks on its instance, which a fleet does not know (its router places each request as it arrives); run one instance or another policy`,
  );
}
