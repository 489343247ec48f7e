import type { Agent } from "./agent.js";

/** Always the same action (the environment's "do nothing"): the floor every score must beat. */
export class IdleAgent implements Agent {
  readonly name = "idle";

  constructor(private readonly action: number) {}

  reset(): void {}

  act(): number {
    return this.action;
  }
}
