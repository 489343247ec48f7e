import type { FastifyInstance, FastifyRequest } from "fastify";
import * as z from "zod/mini";
import type { AnyEnv } from "../envs/registry.js";
import type { Space } from "../envs/spaces.js";
import { zodRoute } from "./checked.js";
import { openenvMetadata, openenvObservation, openenvSchema, openenvState } from "./openenv-protocol.js";
import { openEnvConnection, serveSocket } from "./openenv-websocket.js";
import { envParams, openenvStepBody, resetFields, type ResetFields } from "./request-schemas.js";
import { resetEnv, stepEnv, type SessionOps } from "./session-ops.js";
import { errorBody, makeEnv } from "./sessions.js";
import {
  openenvHealthAnswer, openenvMetadataAnswer, openenvObservationAnswer, openenvSchemaAnswer, openenvStateAnswer, switchingProtocols,
} from "./response-schemas.js";

type EnvParams = { namespace: string; name: string };

export interface OpenEnvOptions {
  /** The env served at the root (`kvsim serve --env`). */
  defaultEnv: string;
  /** The env id of `/openenv/{namespace}/{name}`, or a 404. */
  envId: (p: EnvParams) => string;
  /** An env's spaces, built once per id. */
  spacesOf: (id: string) => { actionSpace: Space; observationSpace: Space };
}

const OPENENV_WS = "OpenEnv's WebSocket session: send {type: reset, data: {seed?, episode_id?, options?}}, {type: step, data: {action, metadata?}}, "
  + "{type: state}, {type: close}; answers {type: observation, data: {observation, reward, done}}, {type: state, data: {episode_id, step_count, env, done}} "
  + "or {type: error, data: {message, code}}. The connection owns one session.";

/** OpenEnv's ResetRequest body; a missing one is an empty one (http_server.py:1099-1102). */
const resetBody = z.nullable(resetFields);

/**
 * As OpenEnv's stateless HTTP routes do (http_server.py:604-667): a fresh env for the request,
 * closed after it, whatever happens.
 */
function withFreshEnv<T>(id: string, use: (env: AnyEnv) => T): T {
  const env = makeEnv(id);
  try {
    return use(env);
  } finally {
    env.close();
  }
}

/**
 * OpenEnv's protocol (meta-pytorch/OpenEnv, openenv-core 0.2.3) for every kvsim env under
 * `/openenv/{namespace}/{name}`, and for the default env at the root, so that OpenEnv's client
 * takes `http://host:port/openenv/kvsim/Serving-easy-v0` or `http://host:port` as its base URL.
 * kvsim's own routes under `/envs/…` keep kvsim's shapes: OpenEnv's stateless reset cannot share
 * their paths, since kvsim's session-opening reset takes the same body.
 *
 * The HTTP routes are stateless, as OpenEnv's: `/reset` resets a fresh env; `/step` steps a fresh
 * env from its start (a kvsim env starts by `reset()` without a seed, where an OpenEnv env's
 * constructor sets its first state); `/state` is a fresh env's. Episodes that last take the WebSocket.
 */
export function registerOpenEnv(app: FastifyInstance, ops: SessionOps, options: OpenEnvOptions): void {
  const prefixes: { prefix: string; params?: typeof envParams; envOf: (req: FastifyRequest) => string }[] = [
    { prefix: "", envOf: () => options.defaultEnv },
    { prefix: "/openenv/:namespace/:name", params: envParams, envOf: (req) => options.envId(req.params as EnvParams) },
  ];
  for (const { prefix, params, envOf } of prefixes) {
    // Under a prefix, an unknown env is a 404; a refused body a 400.
    const checks = (answer: object, parts: { body?: z.ZodMiniType } = {}, description?: string) =>
      zodRoute({ ...(params ? { params } : {}), ...parts }, { response: { 200: answer, 400: errorBody, ...(params ? { 404: errorBody } : {}) }, ...(description ? { description } : {}) });

    app.post(`${prefix}/reset`, checks(openenvObservationAnswer, { body: resetBody }, "OpenEnv's stateless reset: a fresh env, reset with these fields"), async (req) =>
      withFreshEnv(envOf(req), (env) => openenvObservation(resetEnv(env, (req.body ?? {}) as ResetFields))));

    app.post(`${prefix}/step`, checks(openenvObservationAnswer, { body: openenvStepBody }, "OpenEnv's stateless step: a fresh env, stepped from its start"), async (req) => {
      const { action } = (req.body as z.output<typeof openenvStepBody>).action;
      return withFreshEnv(envOf(req), (env) => {
        env.reset();
        return openenvObservation(stepEnv(env, action));
      });
    });

    app.get(`${prefix}/state`, checks(openenvStateAnswer, {}, "a fresh env's state (OpenEnv's HTTP routes hold no episode)"), async (req) => openenvState(envOf(req), undefined));
    app.get(`${prefix}/schema`, checks(openenvSchemaAnswer), async (req) => openenvSchema(options.spacesOf(envOf(req))));
    app.get(`${prefix}/metadata`, checks(openenvMetadataAnswer), async (req) => openenvMetadata(envOf(req)));
    app.get(`${prefix}/health`, checks(openenvHealthAnswer), async (req) => (envOf(req), { status: "healthy" }));

    // An unknown env is refused before the upgrade (404), so OpenEnv's client fails to connect and says so.
    const ws = zodRoute(params ? { params } : {}, { response: { 101: switchingProtocols, ...(params ? { 404: errorBody } : {}) }, description: OPENENV_WS });
    app.get(`${prefix}/ws`, { ...ws, websocket: true, preValidation: async (req) => void envOf(req) }, (socket, req) => {
      const id = envOf(req);
      serveSocket(socket, () => openEnvConnection(socket, ops, id));
    });
  }
}
