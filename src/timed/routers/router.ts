import type { ServingRequest } from "../requests.js";

/** What a router sees of one instance when a request arrives (its own bookkeeping and the engine's state). */
export interface InstanceLoad {
  /** Requests routed to it and not completed, and their prompt tokens. */
  outstanding: number;
  outstandingPromptTokens: number;
  /** KV blocks in use on its GPU now. */
  usedBlocks: number;
  /**
   * For a router that reads prefixes: how many of the request's leading blocks the instance
   * caches now on its GPU, and how many more in its host tier (0 for other routers).
   */
  cachedPrefix: { gpu: number; host: number };
}

/** A request as routers see it, with the block size its instances cache by. */
export interface Arrival {
  request: ServingRequest;
  blockSize: number;
}

/** Picks the instance for each arriving request, in arrival order. Deterministic: ties go to the lowest instance index. */
export interface Router {
  route(arrival: Arrival, instances: readonly InstanceLoad[]): number;
}

/** A router in the registry: its name, a line saying what it does, and how to make one for N instances. */
export interface RouterEntry {
  name: string;
  summary: string;
  /** Whether it reads the instances' cached prefixes (finding them costs a fleet run time: only for those that do). */
  readsPrefixes: boolean;
  make(instances: number): Router;
}

/** The index of the smallest value; the first on ties. */
export function argmin(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! < values[best]!) best = i;
  return best;
}
