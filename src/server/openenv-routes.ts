import type { FastifyInstance, FastifyRequest } from "fastify";
import type { AnyEnv } from "../envs/registry.js";
import type { Space } from "../envs/spaces.js";
import { zodRoute } from "./checked.js";
import { openenvMetadata, openenvObservation, openenvSchema, openenvState } from "./openenv-protocol.js";
import { serveOpenEnvSocket } from "./openenv-websocket.js";
import { envParams, openenvStepBody, resetFields, type ResetFields } from "./request-schemas.js";
import { resetEnv, stepEnv, type SessionOps } from "./session-ops.js";
import { makeEnv } from "./sessions.js";
import * as z from "zod/mini";

type EnvParams = { namespace: string; name: string };

export interface OpenEnvOptions {
  /** The env served at the root (`kvsim serve --env`). */
  defaultEnv: string;
  /** The env id of `/openenv/{namespace}/{name}`, or a 404. */
  envId: (p: EnvParams) => string;
  /** An env's spaces, built once per id. */
  spacesOf: (id: string) => { actionSpace: Space; observationSpace: Space };
}

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
    const checks = (parts: { body?: z.ZodMiniType } = {}) => zodRoute({ ...(params ? { params } : {}), ...parts });

    app.post(`${prefix}/reset`, checks({ body: resetBody }), async (req) =>
      withFreshEnv(envOf(req), (env) => openenvObservation(resetEnv(env, (req.body ?? {}) as ResetFields))));

    app.post(`${prefix}/step`, checks({ body: openenvStepBody }), async (req) => {
      const { action } = (req.body as z.output<typeof openenvStepBody>).action;
      return withFreshEnv(envOf(req), (env) => {
        env.reset();
        return openenvObservation(stepEnv(env, action));
      });
    });

    app.get(`${prefix}/state`, checks(), async (req) => openenvState(envOf(req), undefined));
    app.get(`${prefix}/schema`, checks(), async (req) => openenvSchema(options.spacesOf(envOf(req))));
    app.get(`${prefix}/metadata`, checks(), async (req) => openenvMetadata(envOf(req)));
    // OpenEnv's HealthResponse (types.py:239-245); under a prefix, an unknown env's is a 404.
    app.get(`${prefix}/health`, checks(), async (req) => (envOf(req), { status: "healthy" }));

    // An unknown env is refused before the upgrade (404), so OpenEnv's client fails to connect and says so.
    app.get(`${prefix}/ws`, { websocket: true, preValidation: async (req) => void envOf(req) }, (socket, req) => serveOpenEnvSocket(socket, ops, envOf(req)));
  }
}
