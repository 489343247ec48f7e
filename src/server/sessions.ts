import { randomUUID } from "node:crypto";
import { ENVS, make, type AnyEnv } from "../envs/registry.js";

export interface SessionLimits {
  /** Most sessions alive at once. */
  maxSessions: number;
  /** A session unused for this long is closed. */
  idleTtlMs: number;
  /** Most steps per episode a client may take (the envs' own limits are usually lower). */
  maxEpisodeSteps: number;
}


export interface Session {
  id: string;
  envId: string;
  env: AnyEnv;
  episodeId: string | null;
  steps: number;
  done: boolean;
  lastObservation: unknown;
  lastUsed: number;
}

/** The JSON schema of every error answer, `{ error, detail }` (the body HttpError becomes). */
export const errorBody = { type: "object", properties: { error: { type: "string" }, detail: { type: "string" } }, required: ["error", "detail"] } as const;

export class HttpError extends Error {
  constructor(readonly status: number, readonly error: string, detail: string) {
    super(detail);
  }
}

/** Any error a request ran into as an HttpError: one kvsim did not name is the client's (an env refusing its input). */
export const asHttpError = (err: unknown): HttpError => (err instanceof HttpError ? err : new HttpError(400, "bad_request", (err as Error).message));

export function envExists(id: string): boolean {
  return ENVS.some((e) => e.id === id);
}

export function makeEnv(id: string): AnyEnv {
  if (envExists(id)) return make(id);
  throw new HttpError(404, "unknown_env", `no environment "${id}" (GET /api/envs lists them)`);
}

/**
 * Sessions, each owning its own environment instance: nothing is shared between clients. Idle
 * sessions expire; creating one beyond the limit is refused (429) after expiring the idle ones.
 */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(readonly limits: SessionLimits, private readonly now: () => number = Date.now) {}

  get size(): number {
    return this.sessions.size;
  }

  private expire(): void {
    const cutoff = this.now() - this.limits.idleTtlMs;
    for (const [id, s] of this.sessions) if (s.lastUsed < cutoff) this.close(id);
  }

  create(envId: string): Session {
    this.expire();
    if (this.sessions.size >= this.limits.maxSessions) {
      throw new HttpError(429, "too_many_sessions", `the server holds its maximum of ${this.limits.maxSessions} sessions; close one or wait ${Math.round(this.limits.idleTtlMs / 1000)} s for idle ones to expire`);
    }
    const session: Session = { id: randomUUID(), envId, env: makeEnv(envId), episodeId: null, steps: 0, done: false, lastObservation: null, lastUsed: this.now() };
    this.sessions.set(session.id, session);
    return session;
  }

  get(id: unknown, envId: string): Session {
    this.expire();
    const session = typeof id === "string" ? this.sessions.get(id) : undefined;
    if (!session) throw new HttpError(404, "unknown_session", `no session "${String(id)}" (expired, closed, or never created: POST reset first)`);
    if (session.envId !== envId) throw new HttpError(400, "wrong_env", `session ${session.id} runs ${session.envId}, not ${envId}`);
    session.lastUsed = this.now();
    return session;
  }

  close(id: string): boolean {
    this.sessions.get(id)?.env.close();
    return this.sessions.delete(id);
  }
}
