import type { Agent } from "./agent.js";

/** The serving env's built-in vLLM-like scheduler (assembly/serving/sim.ts `schedulerAction`), as an agent. */
export class SchedulerAgent implements Agent {
  readonly name = "vllm";

  constructor(private readonly env: { schedulerAction(): number }) {}

  reset(): void {}

  act(): number {
    return this.env.schedulerAction();
  }
}
