// The JSON Schemas of the env routes' answers, for /openapi.json. Fastify also writes the answers
// with them, key by key in the order given here, so each lists every key its answer has, in the
// order the handler builds it (a key left out would be dropped from the answer).

const numbers = { type: "array", items: { type: "number" }, description: "the env's observation vector (GET …/schema gives its length and labels)" } as const;
const freeObject = { type: "object", additionalProperties: true } as const;
const nullableString = { type: ["string", "null"] } as const;

const object = (properties: Record<string, unknown>, description: string) => ({ type: "object", properties, required: Object.keys(properties), description });

/** kvsim's `POST /envs/{namespace}/{name}/reset` (SessionOps.reset). */
export const kvsimResetAnswer = object({ session_id: { type: "string" }, episode_id: nullableString, observation: numbers, info: freeObject },
  "the session (new, or the one named) and its first observation");

/** kvsim's `POST …/step`: Gymnasium's step. */
export const kvsimStepAnswer = object({ observation: numbers, reward: { type: "number" }, terminated: { type: "boolean" }, truncated: { type: "boolean" }, info: freeObject },
  "Gymnasium's step result");

/** kvsim's `GET …/state` (SessionOps.state). */
export const kvsimStateAnswer = object({
  session_id: { type: "string" }, env: { type: "string" }, episode_id: nullableString, steps: { type: "integer" }, done: { type: "boolean" },
  observation: { ...numbers, type: ["array", "null"] },
}, "the session's episode so far and its last observation");

/** OpenEnv's ResetResponse and StepResponse (types.py:110-166) for a kvsim env (openenv-protocol.ts). */
export const openenvObservationAnswer = object({
  observation: object({ features: numbers, terminated: { type: "boolean" }, truncated: { type: "boolean" }, info: freeObject }, "kvsim's observation, end flags and info"),
  reward: { type: ["number", "null"] },
  done: { type: "boolean" },
}, "OpenEnv's {observation, reward, done}");

/** OpenEnv's State (types.py:178-197) with kvsim's env id and end flag. */
export const openenvStateAnswer = object({ episode_id: nullableString, step_count: { type: "integer", minimum: 0 }, env: { type: "string" }, done: { type: "boolean" } },
  "OpenEnv's State");

/** OpenEnv's SchemaResponse (types.py:225-236). */
export const openenvSchemaAnswer = object({ action: freeObject, observation: freeObject, state: freeObject }, "JSON Schemas of the action object, the observation and the state");

/** OpenEnv's EnvironmentMetadata (types.py:208-222). */
export const openenvMetadataAnswer = object({
  name: { type: "string" }, description: { type: "string" }, readme_content: nullableString, version: nullableString, author: nullableString, documentation_url: nullableString,
}, "OpenEnv's EnvironmentMetadata");

/** OpenEnv's HealthResponse (types.py:239-245). */
export const openenvHealthAnswer = object({ status: { type: "string", enum: ["healthy", "unhealthy", "degraded"] } }, "OpenEnv's HealthResponse");

/** A WebSocket route's answer to the upgrade; its messages are described in the route's description. */
export const switchingProtocols = { type: "null", description: "Switching Protocols: the WebSocket session opens (docs/server.md)" } as const;
