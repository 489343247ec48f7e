import type { FastifySchemaCompiler } from "fastify";
import * as z from "zod/mini";
import { issueText } from "../json-file.js";
import { HttpError } from "./sessions.js";

/**
 * The value a zod schema makes of a request or a message, or a 400 `invalid_request` naming the
 * first field that is wrong. HTTP bodies and WebSocket messages both pass through here, so the
 * two transports refuse the same values with the same words; nothing is coerced (`"7"` is not 7).
 */
export function checked<S extends z.ZodMiniType>(schema: S, value: unknown, root: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new HttpError(400, "invalid_request", issueText(result.error.issues[0]!, root));
}

/** A zod schema as the JSON Schema an OpenAPI document holds (the input side: what a client sends). */
export function jsonSchemaOf(schema: z.ZodMiniType): Record<string, unknown> {
  const { $schema: _draft, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
}

type Part = "params" | "querystring" | "body";

/**
 * A route's `schema` (for /openapi.json, with `rest`: its answers and description) and `validatorCompiler` from
 * zod schemas: Fastify's own
 * Ajv would coerce types and keep a second set of rules; this way the route checks its request
 * exactly as `checked` checks a WebSocket message.
 */
export function zodRoute(parts: Partial<Record<Part, z.ZodMiniType>>, rest: { response?: Record<number, unknown>; description?: string } = {}) {
  const schema = { ...Object.fromEntries(Object.entries(parts).map(([part, s]) => [part, jsonSchemaOf(s)])), ...rest };
  const validatorCompiler: FastifySchemaCompiler<unknown> = ({ httpPart }) => {
    const part = parts[httpPart as Part];
    if (!part) throw new Error(`zodRoute: no zod schema for the ${httpPart}`);
    return (data: unknown) => {
      try {
        return { value: checked(part, data, httpPart === "querystring" ? "query" : httpPart!) };
      } catch (err) {
        return { error: err as Error };
      }
    };
  };
  return { schema, validatorCompiler };
}
