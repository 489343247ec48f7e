import { describe, expect, it } from "vitest";
import { KvsimInputError } from "../../src/errors.js";
import { simulateFleet } from "../../src/timed/fleet.js";
import { gpuPreset } from "../../src/timed/gpus.js";
import { modelPreset } from "../../src/timed/models.js";
import type { ServingRequest } from "../../src/timed/requests.js";
import { ROUTER_NAMES } from "../../src/timed/routers/registry.js";
import type { SessionAffinity } from "../../src/timed/routers/session-affinity.js";
import { syntheticRequests } from "../../src/timed/workloads.js";

const B = 16;
const base = { model: modelPreset("llama-3-8b"), gpu: gpuPreset("h100-sxm"), kvBlocks: 800 };
const chat = syntheticRequests({
  requests: 300, arrivals: { kind: "poisson", qps: 6 }, prompt: { kind: "uniform", min: 50, max: 600 }, output: { kind: "uniform", min: 1, max: 40 },
  sessions: { turns: { kind: "uniform", min: 2, max: 6 }, thinkTimeS: 1, systemPromptTokens: 200 },
}, 7);

/** A request of `blocks` whole blocks named `name`·k (requests of one name share their prefix), in `session` if given. */
const request = (arrival: number, name: number, blocks: number, session?: number): ServingRequest => ({
  arrival, prompt: blocks * B, output: 2, content: { tokens: blocks * B, blockTokens: B, ids: Array.from({ length: blocks }, (_, k) => name * 1000 + k) },
  ...(session === undefined ? {} : { session }),
});
const route = (requests: ServingRequest[], router: string, sessionAffinity?: SessionAffinity) =>
  simulateFleet({ requests, ...base, instances: 2, router, sessionAffinity }).requests.map((r) => r.instance);
/** A run's results without its wall time, which differs between runs. */
const figures = (sim: ReturnType<typeof simulateFleet>) => ({ ...sim, fleet: { ...sim.fleet, simulationMs: 0 }, instances: sim.instances.map((s) => ({ ...s, simulationMs: 0 })) });

describe("session affinity (docs/timed.md)", () => {
  it("round-robin: pinned keeps a session where its first request went, and a pinned request takes no turn", () => {
    // Session 1 at 0, 50 and 150; a request without a session at 100.
    const requests = [request(0, 1, 2, 1), request(50, 1, 3, 1), request(100, 2, 2), request(150, 1, 4, 1)];
    expect(route(requests, "round-robin", "free")).toEqual([0, 1, 0, 1]);
    // The router saw two requests: the session's first (→ 0) and the one without a session (→ 1).
    expect(route(requests, "round-robin", "pinned")).toEqual([0, 0, 1, 0]);
  });

  it("least-loaded: pinned keeps a session on its instance even while another has fewer outstanding", () => {
    // A (session 1) → 0; C while A runs → 1; D, a tie → 0; A's second turn: 1 has fewer outstanding, but it is pinned to 0.
    const requests = [request(0, 1, 2, 1), request(0.0001, 2, 40), request(0.0002, 3, 40), request(0.0003, 1, 4, 1)];
    expect(route(requests, "least-loaded", "free")).toEqual([0, 1, 0, 1]);
    expect(route(requests, "least-loaded", "pinned")).toEqual([0, 1, 0, 0]);
  });

  it("kv-aware: pinned follows the session where Dynamo's cost would move it", () => {
    // fleet.test.ts: while the first request runs on 0, its load outweighs the prefix it shares with the second.
    const requests = [request(0, 1, 20, 5), request(0.00001, 1, 24, 5)];
    expect(route(requests, "kv-aware", "free")).toEqual([0, 1]);
    expect(route(requests, "kv-aware", "pinned")).toEqual([0, 0]);
  });

  it.each(ROUTER_NAMES)("%s: pinned puts every session on one instance; free is the default; without sessions pinned changes nothing", (router) => {
    const options = { requests: chat, ...base, instances: 3, router };
    const pinned = simulateFleet({ ...options, sessionAffinity: "pinned" });
    const free = simulateFleet({ ...options, sessionAffinity: "free" });
    const instancesOf = (sim: typeof free) => {
      const of = new Map<number, Set<number>>();
      sim.requests.forEach((r, i) => of.set(chat[i]!.session!, (of.get(chat[i]!.session!) ?? new Set()).add(r.instance)));
      return [...of.values()].map((s) => s.size);
    };
    expect(instancesOf(pinned).every((n) => n === 1)).toBe(true);
    expect(instancesOf(free).some((n) => n > 1)).toBe(true);
    expect(pinned.sessionAffinity).toBe("pinned");
    expect(figures(simulateFleet(options))).toEqual(figures(free));
    const anonymous = chat.map(({ session: _, ...r }) => r);
    expect(figures(simulateFleet({ ...options, requests: anonymous, sessionAffinity: "pinned" })).requests)
      .toEqual(figures(simulateFleet({ ...options, requests: anonymous })).requests);
  });

  it("refuses an unknown affinity", () => {
    expect(() => simulateFleet({ requests: chat, ...base, instances: 2, router: "round-robin", sessionAffinity: "sticky" as SessionAffinity }))
      .toThrow(new KvsimInputError('unknown session affinity "sticky" (free, pinned)'));
  });
});
