import type { AgenticAction } from "../envs/agentic/agentic-env.js";
import { isDiscrete, type AnyEnv } from "../envs/registry.js";
import type { ResetFields } from "./request-schemas.js";
import { HttpError, type SessionStore } from "./sessions.js";

/** A checked reset (request-schemas.ts), and the session it resets if any. */
export type ResetBody = ResetFields & { session_id?: string };

/** Resets an env as a checked reset asks (no seed: the env's generator goes on). */
export function resetEnv(env: AnyEnv, fields: ResetFields) {
  return env.reset({ seed: fields.seed ?? undefined, options: fields.options ?? {} });
}

/** Steps an env; an action outside its space is the client's error (400 invalid_action). */
export function stepEnv(env: AnyEnv, action: unknown) {
  try {
    // Each env checks the action against its own space: these only pick the env's signature.
    return isDiscrete(env) ? env.step(action as number) : env.step(action as AgenticAction);
  } catch (err) {
    // Actions outside the space (RangeError, or the env's own message) are the client's error.
    throw new HttpError(400, "invalid_action", (err as Error).message);
  }
}

/** reset/step/state on sessions, shared by the HTTP routes and the WebSocket endpoint. */
export class SessionOps {
  constructor(private readonly sessions: SessionStore, private readonly maxEpisodeSteps: number) {}

  reset(envId: string, body: ResetBody) {
    const session = body.session_id !== undefined ? this.sessions.get(body.session_id, envId) : this.sessions.create(envId);
    const { observation, info } = resetEnv(session.env, body);
    Object.assign(session, { episodeId: body.episode_id ?? null, steps: 0, done: false, lastObservation: observation });
    return { session_id: session.id, episode_id: session.episodeId, observation, info };
  }

  step(envId: string, sessionId: unknown, action: unknown) {
    const session = this.sessions.get(sessionId, envId);
    if (session.done) throw new HttpError(409, "episode_over", `the episode of session ${session.id} is over; reset to start another`);
    if (session.steps >= this.maxEpisodeSteps) throw new HttpError(409, "episode_too_long", `sessions may take at most ${this.maxEpisodeSteps} steps per episode`);
    const result = stepEnv(session.env, action);
    session.steps++;
    session.done = result.terminated || result.truncated;
    session.lastObservation = result.observation;
    return result;
  }

  state(envId: string, sessionId: unknown) {
    const s = this.sessions.get(sessionId, envId);
    return { session_id: s.id, env: s.envId, episode_id: s.episodeId, steps: s.steps, done: s.done, observation: s.lastObservation };
  }

  close(sessionId: string): boolean {
    return this.sessions.close(sessionId);
  }
}
