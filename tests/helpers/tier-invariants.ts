import { expect } from "vitest";
import { TimedStop } from "../../assembly/abi/timed.js";
import type { ServingRequest } from "../../src/timed/requests.js";
import { syntheticRequests } from "../../src/timed/workloads.js";
import { TimedInvariant, type TimedEngine } from "../../src/wasm/timed.js";

/** Chat sessions arriving fast enough to fill a 300-block cache of 16-token blocks and preempt: the tier property tests' traffic. */
export const tierTestRequests = (seed: number): ServingRequest[] => syntheticRequests({
  requests: 300, arrivals: { kind: "poisson", qps: 30 }, prompt: { kind: "uniform", min: 1, max: 900 }, output: { kind: "uniform", min: 1, max: 100 },
  sessions: { turns: { kind: "uniform", min: 1, max: 5 }, thinkTimeS: 0.4, systemPromptTokens: 300 },
}, seed);

/** Runs `requests` on a started engine one iteration at a time, checking its invariants (named `label`) after each and that its clock never goes back. */
export function runCheckingInvariants(engine: TimedEngine, requests: readonly ServingRequest[], label: string): void {
  engine.feed(requests, requests.map((_, i) => i));
  engine.endInput();
  let last = -Infinity;
  for (;;) {
    const stop = engine.run(1);
    engine.rows();
    engine.drained();
    if (stop === TimedStop.done) return;
    expect(engine.check(), label).toBe(TimedInvariant.ok);
    const { clock } = engine.state();
    expect(clock, label).toBeGreaterThanOrEqual(last);
    last = clock;
  }
}
