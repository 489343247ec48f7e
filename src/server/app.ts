import type { Duplex } from "node:stream";
import fastifyStatic from "@fastify/static";
import swagger from "@fastify/swagger";
import websocket from "@fastify/websocket";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createServer } from "node:http";
import Fastify, { type FastifyInstance } from "fastify";
import { AGENTS } from "../agents/registry.js";
import { AGENTIC_POLICIES } from "../envs/agentic/policies/registry.js";
import { ENVS, envSpec } from "../envs/registry.js";
import { KvsimInputError } from "../errors.js";
import { POLICIES } from "../policies/registry.js";
import { packageRoot, packageVersion } from "../package-info.js";
import { TOKEN_POLICIES } from "../tokens/policies/registry.js";
import { SERVER_DEFAULTS, type ServerOptions } from "./defaults.js";
import { envExists, errorBody, HttpError, makeEnv, SessionStore } from "./sessions.js";
import { SessionOps, type ResetBody } from "./session-ops.js";
import { spaceSchema } from "./space-schema.js";
import { kvsimResetAnswer, kvsimStateAnswer, kvsimStepAnswer } from "./response-schemas.js";
import { jsonSchemaOf, zodRoute } from "./checked.js";
import { envParams, kvsimResetBody, kvsimStepBody, sessionQuery } from "./request-schemas.js";
import type { Space } from "../envs/spaces.js";
import { registerSimulate } from "./simulate-route.js";
import { registerSweeps } from "./sweep-route.js";
import { registerWebSocket } from "./websocket.js";
import { registerOpenEnv } from "./openenv-routes.js";

const envParamsSchema = jsonSchemaOf(envParams);

/**
 * kvsim's HTTP server (docs/server.md): kvsim's own session routes per environment id
 * (`/envs/kvsim/Serving-medium-v0/reset` …), OpenEnv's protocol at the root and under
 * `/openenv/…` (openenv-routes.ts), listings under /api, and /openapi.json.
 * Every session owns its environment; limits give 4xx, never a crash. Errors are JSON
 * `{ error, detail }`.
 */
const LOOPBACK_NAMES = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

/** The host name of a Host header (`127.0.0.1:8000` → `127.0.0.1`, `[::1]:8000` → `[::1]`). */
const hostName = (host: string): string => (host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.split(":")[0]!);

/**
 * Answers what Node's HTTP parser refuses before any route sees it (a malformed request line, a
 * bad content-length, headers too large, a request too slow) in kvsim's `{error, detail}` shape,
 * then closes the connection.
 */
function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  const [status, reason, error] = err.code === "HPE_HEADER_OVERFLOW" ? [431, "Request Header Fields Too Large", "headers_too_large"]
    : err.code === "ERR_HTTP_REQUEST_TIMEOUT" ? [408, "Request Timeout", "request_timeout"]
    : [400, "Bad Request", "bad_request"];
  if (!socket.writable) return void socket.destroy();
  const body = JSON.stringify({ error, detail: `the request could not be read (${err.code ?? err.message})` });
  socket.end(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

export async function buildServer(options: Partial<ServerOptions> = {}): Promise<FastifyInstance> {
  const opts = { ...SERVER_DEFAULTS, ...options };
  envSpec(opts.defaultEnv); // an unknown default env is an input error before anything is set up
  // noDelay: small JSON answers go out at once instead of waiting on Nagle's algorithm.
  const app = Fastify({
    bodyLimit: opts.bodyLimit, logger: false,
    // The routes still on Ajv (/api/simulate, /api/sweep) refuse "7" for an integer rather than coerce it.
    ajv: { customOptions: { coerceTypes: false } },
    // A client that sends its request slowly is cut off: a trickled body cannot hold a connection forever.
    serverFactory: (handler) => {
      // Node checks the timeouts every connectionsCheckingInterval (30 s by default): often enough that a short limit holds.
      const server = createServer({
        noDelay: true, requestTimeout: opts.requestTimeoutMs, headersTimeout: Math.ceil(opts.requestTimeoutMs / 3),
        connectionsCheckingInterval: Math.min(30_000, Math.max(100, Math.floor(opts.requestTimeoutMs / 4))),
      }, handler);
      server.on("clientError", answerClientError);
      return server;
    },
  });
  const sessions = new SessionStore(opts);
  const ops = new SessionOps(sessions, opts.maxEpisodeSteps);
  await app.register(swagger, {
    openapi: { info: { title: "kvsim", version: packageVersion(), description: "KV-cache policy environments and simulations (all figures simulated)" } },
  });

  // A web page the user visits must not drive this server: a browser's request from a foreign
  // Origin is refused (WebSocket upgrades included), and on a loopback bind a Host other than a
  // loopback name (DNS rebinding) too. Clients outside browsers send no Origin.
  const loopbackBind = LOOPBACK_NAMES.has(opts.host);
  app.addHook("onRequest", async (req, reply) => {
    // A refused WebSocket upgrade is answered on its raw socket, which nothing would close after.
    if (req.headers.upgrade) reply.raw.once("finish", () => req.raw.socket?.destroy());
    const host = req.headers.host ?? "";
    if (loopbackBind && !LOOPBACK_NAMES.has(hostName(host))) throw new HttpError(403, "forbidden_host", `Host "${host}" is not this machine (the server binds ${opts.host})`);
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${host}` && origin !== `https://${host}` && !opts.allowedOrigins.includes(origin)) {
      throw new HttpError(403, "forbidden_origin", `requests from ${origin} are not allowed (kvsim serve --allow-origin ORIGIN allows one)`);
    }
  });

  app.setErrorHandler((err, _req, reply) => {
    if (err instanceof HttpError) return reply.status(err.status).send({ error: err.error, detail: err.message });
    // Fastify's own errors (bad JSON, body too large, schema validation) carry their status; some are RangeErrors.
    const e = err as { statusCode?: number; code?: string; message: string };
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      return reply.status(e.statusCode).send({ error: (e.code ?? "bad_request").toLowerCase(), detail: e.message });
    }
    if (err instanceof KvsimInputError || err instanceof RangeError) return reply.status(400).send({ error: "bad_request", detail: (err as Error).message });
    return reply.status(500).send({ error: "internal", detail: e.message });
  });
  app.setNotFoundHandler((req, reply) => reply.status(404).send({ error: "not_found", detail: `no route ${req.method} ${req.url}` }));

  const envId = (p: { namespace: string; name: string }) => {
    const id = `${p.namespace}/${p.name}`;
    if (!envExists(id)) throw new HttpError(404, "unknown_env", `no environment "${id}" (GET /api/envs lists them)`);
    return id;
  };

  app.get("/api/envs", async () => ({
    envs: ENVS.map((e) => ({ id: e.id, summary: e.summary, kind: e.kind })),
  }));
  app.get("/api/policies", async () => ({
    page: POLICIES.map((p) => ({ name: p.name, summary: p.summary, params: p.params })),
    token: TOKEN_POLICIES.map((p) => ({ name: p.name, summary: p.summary, attention: p.attention })),
    agentic: Object.entries(AGENTIC_POLICIES).map(([name, p]) => ({ name, summary: p.summary })),
  }));
  app.get("/api/agents", async () => ({ agents: AGENTS.map((a) => ({ name: a.name })) }));

  app.post("/envs/:namespace/:name/reset", zodRoute({ params: envParams, body: kvsimResetBody }, { response: { 200: kvsimResetAnswer, 400: errorBody, 404: errorBody, 429: errorBody } }),
    async (req) => ops.reset(envId(req.params as { namespace: string; name: string }), (req.body ?? {}) as ResetBody));

  app.post("/envs/:namespace/:name/step", zodRoute({ params: envParams, body: kvsimStepBody }, { response: { 200: kvsimStepAnswer, 400: errorBody, 404: errorBody, 409: errorBody } }), async (req) => {
    const { session_id, action } = req.body as { session_id: string; action: unknown };
    return ops.step(envId(req.params as { namespace: string; name: string }), session_id, action);
  });

  app.get("/envs/:namespace/:name/state", zodRoute({ params: envParams, querystring: sessionQuery }, { response: { 200: kvsimStateAnswer, 400: errorBody, 404: errorBody } }),
    async (req) => ops.state(envId(req.params as { namespace: string; name: string }), (req.query as { session_id: string }).session_id));

  app.delete("/sessions/:id", { schema: { params: { type: "object", properties: { id: { type: "string" } } }, response: { 404: errorBody } } }, async (req) => {
    const { id } = req.params as { id: string };
    if (!ops.close(id)) throw new HttpError(404, "unknown_session", `no session "${id}"`);
    return { closed: id };
  });

  // An environment's spaces never change, and building one (a WASM instance for the serving envs)
  // per request would let /schema and /metadata traffic allocate without bound: one per id.
  const spaces = new Map<string, { actionSpace: Space; observationSpace: Space }>();
  const spacesOf = (id: string) => {
    if (!spaces.has(id)) {
      const { actionSpace, observationSpace } = makeEnv(id);
      spaces.set(id, { actionSpace, observationSpace });
    }
    return spaces.get(id)!;
  };

  app.get("/envs/:namespace/:name/schema", { schema: { params: envParamsSchema, response: { 404: errorBody } } }, async (req) => {
    const id = envId(req.params as { namespace: string; name: string });
    const env = spacesOf(id);
    return {
      action: spaceSchema(env.actionSpace),
      observation: spaceSchema(env.observationSpace),
      state: {
        type: "object",
        properties: { session_id: { type: "string" }, env: { type: "string" }, episode_id: { type: ["string", "null"] }, steps: { type: "integer" }, done: { type: "boolean" }, observation: spaceSchema(env.observationSpace) },
      },
    };
  });

  app.get("/envs/:namespace/:name/metadata", { schema: { params: envParamsSchema, response: { 404: errorBody } } }, async (req) => {
    const id = envId(req.params as { namespace: string; name: string });
    const env = spacesOf(id);
    const { summary } = envSpec(id);
    return { id, summary, action_space: env.actionSpace, observation_space: env.observationSpace, kvsim_version: packageVersion() };
  });

  await app.register(websocket, { options: { maxPayload: app.initialConfig.bodyLimit } });
  // @fastify/websocket hides its routes from /openapi.json; kvsim's are part of its API, so they are listed (with a 101 answer).
  app.addHook("onRoute", (route) => {
    if (route.websocket && route.schema) route.schema.hide = false;
  });
  registerWebSocket(app, ops, envId, envParamsSchema);
  registerOpenEnv(app, ops, { defaultEnv: opts.defaultEnv, envId, spacesOf });
  registerSimulate(app, { maxAccesses: opts.maxAccesses, maxPages: opts.maxPages, maxEpisodeSteps: opts.maxEpisodeSteps });
  registerSweeps(app, { maxSweepRows: opts.maxSweepRows, maxSweeps: opts.maxSweeps, threads: opts.sweepThreads, maxAccesses: opts.maxAccesses, maxPages: opts.maxPages });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  await servePlayground(app);
  return app;
}

/** The browser playground (dist/web, built by `npm install`) at /; its files only, so every other path keeps the JSON 404. */
async function servePlayground(app: FastifyInstance): Promise<void> {
  const root = join(packageRoot(), "dist", "web");
  if (!existsSync(join(root, "index.html"))) {
    app.get("/", { schema: { hide: true } }, async () => {
      throw new HttpError(404, "no_playground", "the playground is not built: run `npm run build:web`");
    });
    return;
  }
  await app.register(fastifyStatic, { root, prefix: "/", wildcard: false, index: "index.html", schemaHide: true });
}
