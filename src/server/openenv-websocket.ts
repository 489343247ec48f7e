import type { WebSocket } from "ws";
import { checked } from "./checked.js";
import { openenvError, openenvObservation, openenvState } from "./openenv-protocol.js";
import { openenvAction, resetFields } from "./request-schemas.js";
import type { SessionOps } from "./session-ops.js";
import { asHttpError, HttpError } from "./sessions.js";

/** One WebSocket connection's protocol: it owns at most one session, ended with the socket. */
export interface SocketConnection {
  /** A message parsed from JSON (any value: the protocol checks its shape). */
  receive(msg: unknown): void;
  /** The answer to a message that is not JSON, in the protocol's error shape. */
  badJson(err: Error): void;
  /** The socket closed: the session ends. */
  end(): void;
}

/**
 * OpenEnv's protocol on one WebSocket connection for the env `envId`, as OpenEnv's client drives
 * it (src/openenv/core/env_client.py:372-419): it sends `{type: "reset", data: {seed?,
 * episode_id?, options?}}`, `{type: "step", data: {action, metadata?}}`, `{type: "state"}` and
 * `{type: "close"}`, and reads `{type: "observation", data: {observation, reward, done}}`,
 * `{type: "state", data: {episode_id, step_count, …}}` or `{type: "error", data: {message, code}}`
 * (OpenEnv's server, env_server/http_server.py:1298-1512). The session opens with the first reset;
 * an error keeps the connection.
 */
export function openEnvConnection(socket: WebSocket, ops: SessionOps, envId: string): SocketConnection {
  let sessionId: string | undefined;
  const send = (message: object) => socket.send(JSON.stringify(message));
  return {
    receive(raw) {
      const msg = raw as { type?: unknown; data?: unknown };
      try {
        if (typeof msg !== "object" || msg === null || Array.isArray(msg)) throw new HttpError(400, "bad_message", "a message is a JSON object {type, data}");
        switch (msg.type) {
          case "reset": {
            const answer = ops.reset(envId, { ...checked(resetFields, msg.data ?? {}, "data"), session_id: sessionId });
            sessionId = answer.session_id;
            return send({ type: "observation", data: openenvObservation(answer) });
          }
          case "step": {
            const { action } = checked(openenvAction, msg.data, "data");
            if (sessionId === undefined) throw new HttpError(409, "no_episode", "no episode yet: send a reset first");
            return send({ type: "observation", data: openenvObservation(ops.step(envId, sessionId, action)) });
          }
          case "state":
            return send({ type: "state", data: openenvState(envId, sessionId === undefined ? undefined : ops.state(envId, sessionId)) });
          case "close":
            // As OpenEnv's server: no answer, the socket closes (which ends the session).
            return socket.close(1000, "closed");
          default:
            throw new HttpError(400, "unknown_type", `Unknown message type: ${typeof msg.type === "string" ? msg.type : JSON.stringify(msg.type ?? "")}`);
        }
      } catch (err) {
        send(openenvError(asHttpError(err)));
      }
    },
    badJson: (err) => send(openenvError(new HttpError(400, "bad_json", `Invalid JSON: ${err.message}`))),
    end() {
      if (sessionId !== undefined) ops.close(sessionId);
    },
  };
}

/** Feeds a socket's messages, parsed, to its connection; `connect` picks the protocol from the first one. */
export function serveSocket(socket: WebSocket, connect: (first: unknown) => SocketConnection): void {
  let connection: SocketConnection | undefined;
  socket.on("message", (raw: Buffer) => {
    let msg: unknown;
    try {
      msg = JSON.parse(raw.toString("utf8"));
    } catch (err) {
      // Before any message, kvsim's shape: nothing has said the client speaks OpenEnv.
      return (connection ?? connect(undefined)).badJson(err as Error);
    }
    connection ??= connect(msg);
    connection.receive(msg);
  });
  socket.on("close", () => connection?.end());
}
