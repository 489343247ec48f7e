import { KvsimInputError } from "../../errors.js";
import type { ServingRequest } from "../requests.js";

/**
 * How a fleet routes the requests of one session: `free`, each by the router; `pinned`, the first
 * by the router and every later one to the instance the first went to (docs/timed.md).
 */
export const SESSION_AFFINITIES = ["free", "pinned"] as const;
export type SessionAffinity = (typeof SESSION_AFFINITIES)[number];

export function sessionAffinityOf(name: string): SessionAffinity {
  const found = SESSION_AFFINITIES.find((a) => a === name);
  if (!found) throw new KvsimInputError(`unknown session affinity "${name}" (${SESSION_AFFINITIES.join(", ")})`);
  return found;
}

/**
 * The instance each session's first request went to, as SGLang Model Gateway's routing-key
 * override keeps it under its `delegate` assignment: later requests of the session go there
 * without asking the router; a request without a session is never pinned.
 */
export class SessionPins {
  private readonly instanceOf = new Map<number, number>();

  /** Where the request's session is pinned; undefined for a session's first request or a request without one. */
  pinned(request: ServingRequest): number | undefined {
    return request.session === undefined ? undefined : this.instanceOf.get(request.session);
  }

  /** Pins the request's session to `instance`, if it has a session not pinned yet. */
  pin(request: ServingRequest, instance: number): void {
    if (request.session !== undefined && !this.instanceOf.has(request.session)) this.instanceOf.set(request.session, instance);
  }
}
