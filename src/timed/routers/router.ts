import type { ServingRequest } from "../requests.js";

/** What a router sees of one instance when a request arrives (its own bookkeeping and the engine's state). */
export interface InstanceLoad {
  /** Requests routed to it and not completed, and their prompt tokens. */
  outstanding: number;
  outstandingPromptTokens: number;
  /** KV blocks in use on its GPU now. */
  usedBlocks: number;
}

/** A request as routers see it: its arrival and the chained hashes of its prompt's full blocks. */
export interface Arrival {
  request: ServingRequest;
  /** Hashes of the prompt's full blocks, in order (equal prefixes, equal hashes); empty for a router that reads none. */
  hashes: Float64Array;
  blockSize: number;
}

/**
 * Picks the instance for each arriving request, in arrival order; `routed` hears each decision
 * (a router that remembers where prefixes went learns from it). Deterministic: ties go to the
 * lowest instance index.
 */
export interface Router {
  route(arrival: Arrival, instances: readonly InstanceLoad[]): number;
  routed?(arrival: Arrival, instance: number): void;
}

/** A router in the registry: its name, a line saying what it does, and how to make one for N instances. */
export interface RouterEntry {
  name: string;
  summary: string;
  /** Whether it reads the requests' block hashes (computing them costs a fleet run a sixth of its time). */
  readsPrefixes: boolean;
  make(instances: number): Router;
}

/** The index of the smallest value; the first on ties. */
export function argmin(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! < values[best]!) best = i;
  return best;
}
