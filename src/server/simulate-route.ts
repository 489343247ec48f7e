import type { FastifyInstance } from "fastify";
import { runEpisodeTelemetry } from "./episode-telemetry.js";
import { SCENARIO_PRESETS, scenarioPreset } from "../hierarchy/presets.js";
import { checkWorkloadSize, type WorkloadLimits } from "./workload-size.js";
import { simulate } from "../simulate.js";
import { generateWorkload } from "../workloads/registry.js";
import { errorBody, HttpError } from "./sessions.js";
import { jsonSchemaOf } from "./checked.js";
import { seed } from "./request-schemas.js";

/** The same seeds as the env routes take, in [0, 2^32). */
const SEED_SCHEMA = jsonSchemaOf(seed);

export interface SimulateLimits extends WorkloadLimits {
  /** Most steps of a headless episode. */
  maxEpisodeSteps: number;
}

/**
 * `POST /api/simulate`: one headless run. `{kind: "episode", env, agent, seed, weights?}` plays an
 * environment with a built-in agent and returns per-step telemetry; `{kind: "replay", scenario,
 * workload, policy, params?, workload_params?, profile?, seed?, events?}` replays a built-in
 * workload through the page engine on a preset scenario and returns the metrics and up to
 * `events` transfer events. Scenarios and workloads are names only: the server never reads files
 * for a client.
 */
export function registerSimulate(app: FastifyInstance, limits: SimulateLimits): void {
  app.post("/api/simulate", {
    schema: {
      body: {
        oneOf: [
          {
            type: "object", additionalProperties: false, required: ["kind", "env"],
            properties: { kind: { const: "episode" }, env: { type: "string" }, agent: { type: "string" }, seed: SEED_SCHEMA },
          },
          {
            type: "object", additionalProperties: false, required: ["kind", "scenario", "workload", "policy"],
            properties: {
              kind: { const: "replay" }, scenario: { type: "string" }, workload: { type: "string" }, policy: { type: "string" },
              params: { type: "object" }, workload_params: { type: "object" }, profile: { enum: ["kvsim", "khl"] },
              seed: SEED_SCHEMA, events: { type: "integer", minimum: 0, maximum: 100_000 },
            },
          },
        ],
      },
      response: { 400: errorBody, 404: errorBody, 413: errorBody },
    },
  }, async (req) => {
    const body = req.body as Record<string, unknown>;
    if (body["kind"] === "episode") {
      return runEpisodeTelemetry(body["env"] as string, (body["agent"] as string | undefined) ?? "random", (body["seed"] as number | undefined) ?? 0, limits.maxEpisodeSteps);
    }
    const scenario = scenarioPreset(String(body["scenario"]));
    if (!scenario) throw new HttpError(404, "unknown_scenario", `no scenario preset "${String(body["scenario"])}" (known: ${Object.keys(SCENARIO_PRESETS).join(", ")})`);
    checkWorkloadSize(String(body["workload"]), (body["workload_params"] as Record<string, unknown> | undefined) ?? {}, limits, "workload");
    const trace = generateWorkload(body["workload"] as string, (body["workload_params"] as Record<string, unknown> | undefined) ?? {});
    if (trace.accesses.length > limits.maxAccesses) throw new HttpError(413, "replay_too_long", `at most ${limits.maxAccesses} accesses per request; this workload has ${trace.accesses.length}`);
    const result = simulate({
      scenario: structuredClone(scenario), trace, policy: body["policy"] as string, params: body["params"] as Record<string, unknown> | undefined,
      profile: body["profile"] as "kvsim" | "khl" | undefined, seed: body["seed"] as number | undefined, eventCapacity: (body["events"] as number | undefined) ?? 0,
    });
    return { kind: "replay", scenario: scenario.name, workload: trace.name, policy: body["policy"], metrics: result.metrics, events: result.events ?? [], events_dropped: result.eventsDropped ?? 0 };
  });
}
