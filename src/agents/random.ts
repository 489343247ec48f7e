import { PythonRandom } from "../workloads/python-random.js";
import type { Agent } from "./agent.js";

/** Uniform over the action space, from its own seeded stream (the env's seed + a fixed offset). */
export class RandomAgent implements Agent {
  readonly name = "random";
  private rng = new PythonRandom(0);

  constructor(private readonly actions: number) {}

  reset(seed: number): void {
    this.rng = new PythonRandom(seed + 0x5eed);
  }

  act(): number {
    return this.rng.randbelow(this.actions);
  }
}
