import { scenarioPreset } from "../hierarchy/presets.js";
import { KvsimInputError } from "../errors.js";
import { simulate } from "../simulate.js";
import type { Profile } from "../policies/registry.js";
import { generateWorkload } from "../workloads/registry.js";
import { runEpisodeTelemetry } from "./episode-telemetry.js";
import { HttpError } from "./sessions.js";

/** A checked `/api/simulate` body (simulate-route.ts has its schema). */
export type SimulateBody = Record<string, unknown>;

export interface SimulateTask {
  body: SimulateBody;
  /** Most accesses of a replay, and most steps of an episode. */
  maxAccesses: number;
  maxEpisodeSteps: number;
}

/** The answer, or the client's error as a status and `{error, detail}` (a class does not cross threads). */
export type SimulateOutcome = { answer: object } | { failure: { status: number; error: string; detail: string } };

/** Runs one `/api/simulate` request: it may take seconds, so the server runs it on a worker thread (simulate-worker.ts). */
export function runSimulateTask({ body, maxAccesses, maxEpisodeSteps }: SimulateTask): SimulateOutcome {
  try {
    return { answer: run(body, maxAccesses, maxEpisodeSteps) };
  } catch (err) {
    if (err instanceof HttpError) return { failure: { status: err.status, error: err.error, detail: err.message } };
    if (err instanceof KvsimInputError || err instanceof RangeError) return { failure: { status: 400, error: "bad_request", detail: err.message } };
    throw err;
  }
}

function run(body: SimulateBody, maxAccesses: number, maxEpisodeSteps: number): object {
  if (body["kind"] === "episode") {
    return runEpisodeTelemetry(body["env"] as string, (body["agent"] as string | undefined) ?? "random", (body["seed"] as number | undefined) ?? 0, maxEpisodeSteps);
  }
  // The route checked that the scenario exists.
  const scenario = scenarioPreset(String(body["scenario"]))!;
  const trace = generateWorkload(body["workload"] as string, (body["workload_params"] as Record<string, unknown> | undefined) ?? {});
  if (trace.accesses.length > maxAccesses) throw new HttpError(413, "replay_too_long", `at most ${maxAccesses} accesses per request; this workload has ${trace.accesses.length}`);
  const result = simulate({
    scenario: structuredClone(scenario), trace, policy: body["policy"] as string, params: body["params"] as Record<string, unknown> | undefined,
    profile: body["profile"] as Profile | undefined, seed: body["seed"] as number | undefined, eventCapacity: (body["events"] as number | undefined) ?? 0,
  });
  return { kind: "replay", scenario: scenario.name, workload: trace.name, policy: body["policy"], metrics: result.metrics, events: result.events ?? [], events_dropped: result.eventsDropped ?? 0 };
}
