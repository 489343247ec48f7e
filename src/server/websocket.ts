import type { FastifyInstance } from "fastify";
import { checked } from "./checked.js";
import { openenvError } from "./openenv-protocol.js";
import { kvsimStepMessage, resetFields } from "./request-schemas.js";
import { switchingProtocols } from "./response-schemas.js";
import { SessionOps } from "./session-ops.js";
import { asHttpError, HttpError } from "./sessions.js";

type Message = { type?: unknown };

/**
 * `GET /envs/{namespace}/{name}/ws`: a WebSocket session. The connection owns one session,
 * opened by its first `reset` and closed with the socket. Messages are JSON:
 * `{type: "reset", seed?, episode_id?, options?}`, `{type: "step", action}`, `{type: "state"}`,
 * `{type: "close"}`. Each answer repeats the type, and failures answer
 * `{type: "error", status, error, detail}` without closing the connection. OpenEnv's protocol has
 * its own endpoints (openenv-routes.ts).
 */
export function registerWebSocket(app: FastifyInstance, ops: SessionOps, envId: (p: { namespace: string; name: string }) => string, params: object): void {
  const schema = {
    params, response: { 101: switchingProtocols },
    description: "kvsim's WebSocket session: send {type: reset, seed?, episode_id?, options?}, {type: step, action}, {type: state}, {type: close}; "
      + "each answer repeats its type (reset: {session_id, episode_id, observation, info}; step: Gymnasium's step; state as GET …/state), "
      + "a failure is {type: error, status, error, detail}. The connection owns one session.",
  };
  app.get("/envs/:namespace/:name/ws", { websocket: true, schema }, (socket, req) => {
    const sendError = (e: HttpError) => socket.send(JSON.stringify({ type: "error", status: e.status, error: e.error, detail: e.message }));
    let sessionId: string | undefined;
    let id: string;
    try {
      id = envId(req.params as { namespace: string; name: string });
    } catch (err) {
      const e = err as HttpError;
      sendError(e);
      socket.close(1008, "unknown environment");
      return;
    }
    socket.on("message", (data: Buffer) => {
      let msg: Message;
      try {
        msg = JSON.parse(data.toString("utf8")) as Message;
      } catch {
        return sendError(new HttpError(400, "bad_json", "the message is not valid JSON"));
      }
      if (typeof msg !== "object" || msg === null || Array.isArray(msg)) return sendError(new HttpError(400, "bad_message", "a message is a JSON object {type, …}"));
      // kvsim's messages never carry `data`; OpenEnv's always do (but state and close). Its client is
      // told, in its own error shape, where OpenEnv's protocol is served rather than misread.
      if ("data" in msg) {
        const where = `http://${req.headers.host ?? "HOST"}/openenv/${id}`;
        return socket.send(JSON.stringify(openenvError(new HttpError(400, "wrong_protocol", `this is kvsim's own session protocol; for OpenEnv's client use the base URL ${where} (docs/server.md)`))));
      }
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
    });
    socket.on("close", () => {
      if (sessionId) ops.close(sessionId);
    });
  });
}
