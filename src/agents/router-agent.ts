import { KvsimInputError } from "../errors.js";
import { FleetRouteEnv } from "../envs/fleet/fleet-env.js";
import type { Env } from "../envs/spaces.js";
import type { Router, RouterEntry } from "../timed/routers/router.js";
import type { Agent } from "./agent.js";
import type { AgentInfo } from "./registry.js";

/**
 * A router of the timed simulator's registry (src/timed/routers/) playing a fleet env: it routes
 * the waiting request on the loads the env read at its arrival, exactly as `simulateFleet` would.
 */
export class RouterAgent implements Agent {
  readonly name: string;
  private router: Router;

  constructor(private readonly entry: RouterEntry, private readonly env: FleetRouteEnv) {
    this.name = entry.name;
    this.router = entry.make(env.instances);
  }

  /** A fresh router every episode (round-robin starts again from instance 0). */
  reset(): void {
    this.router = this.entry.make(this.env.instances);
  }

  act(): number {
    return this.router.route(this.env.arrival(), this.env.loads());
  }
}

/** The registry's entry for a router as an agent; it plays the kvsim/Fleet-* envs only. */
export function routerAgentInfo(entry: RouterEntry): AgentInfo {
  return {
    name: entry.name,
    summary: `the ${entry.name} router: ${entry.summary} (kvsim/Fleet-* envs)`,
    make: (env: Env<number[], number>) => {
      if (!(env instanceof FleetRouteEnv)) throw new KvsimInputError(`agent "${entry.name}" routes requests in the kvsim/Fleet-* environments, not ${env.id}`);
      return new RouterAgent(entry, env);
    },
  };
}
