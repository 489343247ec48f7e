import type { FastifyInstance, FastifyRequest } from "fastify";
import { serveOpenEnvSocket } from "./openenv-websocket.js";
import type { SessionOps } from "./session-ops.js";

type EnvParams = { namespace: string; name: string };

/**
 * OpenEnv's protocol (meta-pytorch/OpenEnv, openenv-core 0.2.3) for every kvsim env under
 * `/openenv/{namespace}/{name}`, and for the default env (`kvsim serve --env`) at the root, so
 * that OpenEnv's client takes `http://host:port/openenv/kvsim/Serving-easy-v0` or
 * `http://host:port` as its base URL. kvsim's own routes under `/envs/…` answer in kvsim's
 * shapes; OpenEnv's `reset` cannot share their paths, since its stateless reset and kvsim's
 * session-opening one take the same body.
 */
export function registerOpenEnv(app: FastifyInstance, ops: SessionOps, options: { defaultEnv: string; envId: (p: EnvParams) => string }): void {
  const prefixes: { prefix: string; envOf: (req: FastifyRequest) => string }[] = [
    { prefix: "", envOf: () => options.defaultEnv },
    { prefix: "/openenv/:namespace/:name", envOf: (req) => options.envId(req.params as EnvParams) },
  ];
  for (const { prefix, envOf } of prefixes) {
    // An unknown env is refused before the upgrade (404), so OpenEnv's client fails to connect and says so.
    app.get(`${prefix}/ws`, { websocket: true, preValidation: async (req) => void envOf(req) }, (socket, req) => serveOpenEnvSocket(socket, ops, envOf(req)));
  }
}
