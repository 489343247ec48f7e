import { KvsimInputError } from "../../errors.js";
import { kvAware } from "./kv-aware.js";
import { leastLoaded } from "./least-loaded.js";
import { roundRobin } from "./round-robin.js";
import type { RouterEntry } from "./router.js";

/** The routers a fleet of instances can use: adding one is a file and a line here. */
export const ROUTERS: readonly RouterEntry[] = [roundRobin, leastLoaded, kvAware];

export const ROUTER_NAMES = ROUTERS.map((r) => r.name);

export function routerEntry(name: string): RouterEntry {
  const entry = ROUTERS.find((r) => r.name === name);
  if (!entry) throw new KvsimInputError(`unknown router "${name}" (${ROUTER_NAMES.join(", ")})`);
  return entry;
}
