import { envSpec } from "../envs/registry.js";
import type { Space } from "../envs/spaces.js";
import { packageVersion } from "../package-info.js";
import type { HttpError } from "./sessions.js";
import { spaceSchema } from "./space-schema.js";

// How kvsim's Gymnasium-shaped results read in OpenEnv's protocol (meta-pytorch/OpenEnv,
// openenv-core 0.2.3; file and line references are to src/openenv/core/ there). docs/server.md
// says the same for users.

/** A reset (no reward, not over) or a step, as kvsim's envs return them. */
interface KvsimResult {
  observation: unknown;
  info: unknown;
  reward?: number;
  terminated?: boolean;
  truncated?: boolean;
}

/**
 * OpenEnv's `{observation, reward, done}` (serialize_observation, env_server/serialization.py:136-171).
 * OpenEnv sends an observation's own fields and drops its `metadata`, so everything kvsim says
 * goes in the observation: the feature vector, `info`, and whether the episode `terminated` or
 * was `truncated` (OpenEnv's `done` is either, and a learner must tell them apart to bootstrap).
 */
export function openenvObservation(r: KvsimResult) {
  const terminated = r.terminated ?? false;
  const truncated = r.truncated ?? false;
  return { observation: { features: r.observation, terminated, truncated, info: r.info }, reward: r.reward ?? null, done: terminated || truncated };
}

/** A session's state as kvsim's routes answer it (SessionOps.state); none before the first reset. */
interface KvsimState {
  episode_id: string | null;
  steps: number;
  done: boolean;
}

/**
 * OpenEnv's State (env_server/types.py:178-197: episode_id, step_count, extras allowed), with the
 * env id and whether the episode is over. Without a session it is a fresh env's: no episode, no steps.
 */
export function openenvState(envId: string, state: KvsimState | undefined) {
  return { episode_id: state?.episode_id ?? null, step_count: state?.steps ?? 0, env: envId, done: state?.done ?? false };
}

/** OpenEnv's EnvironmentMetadata (env_server/types.py:208-222), every field present as pydantic sends it. */
export function openenvMetadata(envId: string) {
  return { name: envId, description: envSpec(envId).summary, readme_content: null, version: packageVersion(), author: null, documentation_url: null };
}

/**
 * OpenEnv's SchemaResponse (env_server/types.py:225-236): JSON Schemas of the action object, the
 * observation model (with the `done`, `reward` and `metadata` every OpenEnv Observation has,
 * types.py:72-91) and the state.
 */
export function openenvSchema(spaces: { actionSpace: Space; observationSpace: Space }) {
  const object = (title: string, properties: Record<string, unknown>, required: string[], additionalProperties: boolean) => ({ title, type: "object", properties, required, additionalProperties });
  return {
    action: object("KvsimAction", { action: spaceSchema(spaces.actionSpace), metadata: { type: "object", default: {} } }, ["action"], false),
    observation: object("KvsimObservation", {
      done: { type: "boolean", default: false }, reward: { type: ["number", "null"], default: null }, metadata: { type: "object", default: {} },
      features: spaceSchema(spaces.observationSpace), terminated: { type: "boolean" }, truncated: { type: "boolean" }, info: { type: "object" },
    }, ["features", "terminated", "truncated", "info"], false),
    state: object("KvsimState", {
      episode_id: { type: ["string", "null"], default: null }, step_count: { type: "integer", minimum: 0, default: 0 }, env: { type: "string" }, done: { type: "boolean" },
    }, [], true),
  };
}

/**
 * OpenEnv's WebSocket error code (WSErrorCode, env_server/types.py:37-46) for a kvsim error: a
 * refused request or action is VALIDATION_ERROR as pydantic's would be, a full server
 * CAPACITY_REACHED, anything else the env refused EXECUTION_ERROR.
 */
export function openenvErrorCode(e: HttpError): string {
  if (e.error === "bad_json") return "INVALID_JSON";
  if (e.error === "unknown_type") return "UNKNOWN_TYPE";
  if (e.status === 429) return "CAPACITY_REACHED";
  return e.status === 400 ? "VALIDATION_ERROR" : "EXECUTION_ERROR";
}

/** OpenEnv's WSErrorResponse (env_server/types.py:308-314): `{type: "error", data: {message, code}}`. */
export const openenvError = (e: HttpError) => ({ type: "error", data: { message: e.message, code: openenvErrorCode(e) } });
