import type { FastifyInstance } from "fastify";
import { Piscina } from "piscina";
import { SCENARIO_PRESETS, scenarioPreset } from "../hierarchy/presets.js";
import { compiledUrl } from "../util/load-compiled.js";
import { checkWorkloadSize, type WorkloadLimits } from "./workload-size.js";
import { errorBody, HttpError } from "./sessions.js";
import type { SimulateBody, SimulateOutcome, SimulateTask } from "./simulate-run.js";
import { jsonSchemaOf } from "./checked.js";
import { seed } from "./request-schemas.js";
import { PROFILES } from "../policies/registry.js";

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
 *
 * A replay at the size limits takes seconds: runs go to one worker thread, in order, so the
 * server's own thread keeps answering (/health, sessions) meanwhile. At most MAX_WAITING wait
 * their turn; beyond that a request is refused with 429.
 */
const MAX_WAITING = 16;

export function registerSimulate(app: FastifyInstance, limits: SimulateLimits): void {
  // Made on the first request: a server never asked for a run starts no thread.
  let pool: Piscina<SimulateTask, SimulateOutcome> | undefined;
  const poolOf = () => (pool ??= new Piscina({ filename: compiledUrl("server/simulate-worker.js"), minThreads: 1, maxThreads: 1, idleTimeout: 60_000 }));
  app.addHook("onClose", async () => {
    await pool?.destroy();
  });

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
              params: { type: "object" }, workload_params: { type: "object" }, profile: { enum: [...PROFILES] },
              seed: SEED_SCHEMA, events: { type: "integer", minimum: 0, maximum: 100_000 },
            },
          },
        ],
      },
      response: { 400: errorBody, 404: errorBody, 413: errorBody, 429: errorBody },
    },
  }, async (req) => {
    const body = req.body as SimulateBody;
    // Refusals that need no work are answered here, at once.
    if (body["kind"] === "replay") {
      if (!scenarioPreset(String(body["scenario"]))) throw new HttpError(404, "unknown_scenario", `no scenario preset "${String(body["scenario"])}" (known: ${Object.keys(SCENARIO_PRESETS).join(", ")})`);
      checkWorkloadSize(String(body["workload"]), (body["workload_params"] as Record<string, unknown> | undefined) ?? {}, limits, "workload");
    }
    const runs = poolOf();
    if (runs.queueSize >= MAX_WAITING) throw new HttpError(429, "too_many_simulations", `${MAX_WAITING} runs already wait their turn; try again when one has finished`);
    const outcome = await runs.run({ body, maxAccesses: limits.maxAccesses, maxEpisodeSteps: limits.maxEpisodeSteps });
    if ("failure" in outcome) throw new HttpError(outcome.failure.status, outcome.failure.error, outcome.failure.detail);
    return outcome.answer;
  });
}
