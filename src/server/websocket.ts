import type { FastifyInstance } from "fastify";
import type { WebSocket } from "ws";
import { checked } from "./checked.js";
import { openEnvConnection, serveSocket, type SocketConnection } from "./openenv-websocket.js";
import { kvsimStepMessage, resetFields } from "./request-schemas.js";
import { switchingProtocols } from "./response-schemas.js";
import { SessionOps } from "./session-ops.js";
import { asHttpError, HttpError } from "./sessions.js";

/**
 * kvsim's own protocol on one connection: `{type: "reset", seed?, episode_id?, options?}`,
 * `{type: "step", action}`, `{type: "state"}`, `{type: "close"}`. Each answer repeats the type, and
 * failures answer `{type: "error", status, error, detail}` without closing the connection.
 */
function kvsimConnection(socket: WebSocket, ops: SessionOps, id: string): SocketConnection {
  let sessionId: string | undefined;
  const sendError = (e: HttpError) => socket.send(JSON.stringify({ type: "error", status: e.status, error: e.error, detail: e.message }));
  return {
    receive(raw) {
      const msg = raw as { type?: unknown };
      if (typeof msg !== "object" || msg === null || Array.isArray(msg)) return sendError(new HttpError(400, "bad_message", "a message is a JSON object {type, …}"));
      try {
        let answer: object;
        // Checked as the HTTP routes check their bodies (request-schemas.ts).
        if (msg.type === "reset") {
          answer = ops.reset(id, { ...checked(resetFields, msg, "message"), session_id: sessionId });
          sessionId = (answer as { session_id: string }).session_id;
        } else if (msg.type === "step") answer = ops.step(id, sessionId, checked(kvsimStepMessage, msg, "message").action);
        else if (msg.type === "state") answer = ops.state(id, sessionId);
        else if (msg.type === "close") {
          if (sessionId) ops.close(sessionId);
          sessionId = undefined;
          socket.send(JSON.stringify({ type: "close" }));
          return socket.close(1000, "closed");
        } else throw new HttpError(400, "bad_message", `unknown message type ${JSON.stringify(msg.type)} (reset, step, state, close)`);
        socket.send(JSON.stringify({ type: msg.type, ...answer }));
      } catch (err) {
        sendError(asHttpError(err));
      }
    },
    badJson: () => sendError(new HttpError(400, "bad_json", "the message is not valid JSON")),
    end() {
      if (sessionId) ops.close(sessionId);
    },
  };
}

/** OpenEnv's messages carry `data` (its client sends `data` with every reset and step); kvsim's never do. */
const speaksOpenEnv = (msg: unknown): boolean => typeof msg === "object" && msg !== null && "data" in msg;

/**
 * `GET /envs/{namespace}/{name}/ws`: a WebSocket session in kvsim's protocol or OpenEnv's, as the
 * first message says, so that OpenEnv's client takes `http://host:port/envs/{namespace}/{name}`
 * as its base URL too (its first message is a reset with `data`). The connection owns one session,
 * opened by its first reset and closed with the socket.
 */
export function registerWebSocket(app: FastifyInstance, ops: SessionOps, envId: (p: { namespace: string; name: string }) => string, params: object): void {
  const schema = {
    params, response: { 101: switchingProtocols },
    description: "kvsim's WebSocket session: send {type: reset, seed?, episode_id?, options?}, {type: step, action}, {type: state}, {type: close}; "
      + "each answer repeats its type (reset: {session_id, episode_id, observation, info}; step: Gymnasium's step; state as GET …/state), "
      + "a failure is {type: error, status, error, detail}. A connection whose first message carries data ({type: reset, data: {…}}) speaks "
      + "OpenEnv's protocol instead, as /openenv/{namespace}/{name}/ws. The connection owns one session.",
  };
  app.get("/envs/:namespace/:name/ws", { websocket: true, schema }, (socket, req) => {
    let id: string;
    try {
      id = envId(req.params as { namespace: string; name: string });
    } catch (err) {
      const e = err as HttpError;
      socket.send(JSON.stringify({ type: "error", status: e.status, error: e.error, detail: e.message }));
      socket.close(1008, "unknown environment");
      return;
    }
    serveSocket(socket, (first) => (speaksOpenEnv(first) ? openEnvConnection(socket, ops, id) : kvsimConnection(socket, ops, id)));
  });
}
