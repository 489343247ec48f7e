import * as z from "zod/mini";
import { MAX_SEED } from "../cli/options.js";

// What the env routes accept, over HTTP and WebSocket alike. Unknown properties are dropped, not
// refused, as OpenEnv's own server does (its requests carry extras such as timeout_s, request_id);
// a known property of the wrong type or range is refused, never coerced.

const seedError = (issue: { input?: unknown }) => `must be an integer from 0 to ${MAX_SEED}, got ${JSON.stringify(issue.input)}`;

/** A seed, 32-bit as everywhere in kvsim: 2^64 or 1e300 would silently be the same seed as another. */
export const seed = z.int({ error: seedError }).check(z.gte(0, { error: seedError }), z.lte(MAX_SEED, { error: seedError }));

/** A value that must be there, of any type (the env checks an action against its own space). */
export const present = z.unknown().check(z.refine((v) => v !== undefined, { error: "is required" }));

export const jsonObject = z.record(z.string(), z.unknown());

/**
 * What a reset takes, kvsim's and OpenEnv's alike. `null` is "not given", as in OpenEnv's
 * ResetRequest (src/openenv/core/env_server/types.py:94), whose episode ids may be 255 long.
 */
export const resetFields = z.object({
  seed: z.nullish(seed),
  episode_id: z.nullish(z.string().check(z.maxLength(255))),
  options: z.nullish(jsonObject),
});
export type ResetFields = z.output<typeof resetFields>;

/** kvsim's `POST …/reset`: without a session id it opens a session, with one it resets that session. A missing body is an empty one. */
export const kvsimResetBody = z.nullable(z.extend(resetFields, { session_id: z.optional(z.string()) }));

/** kvsim's `POST …/step`. */
export const kvsimStepBody = z.object({ session_id: z.string(), action: present });

/** kvsim's WebSocket step message `{type: "step", action}`. */
export const kvsimStepMessage = z.object({ action: present });

export const sessionQuery = z.object({ session_id: z.string() });

export const envParams = z.object({ namespace: z.string(), name: z.string() });

/**
 * OpenEnv's action object for a kvsim env: the env's own action under `action`, and the
 * `metadata` every OpenEnv Action has. Other keys are refused, as OpenEnv's Action base class
 * forbids them (extra="forbid", src/openenv/core/env_server/types.py:54-69).
 */
export const openenvAction = z.strictObject({ action: present, metadata: z.optional(jsonObject) });

/** OpenEnv's `POST /step` body, StepRequest (types.py:126-152); its other keys are ignored. */
export const openenvStepBody = z.object({
  action: openenvAction,
  timeout_s: z.nullish(z.number().check(z.positive())),
  request_id: z.nullish(z.string().check(z.maxLength(255))),
});
