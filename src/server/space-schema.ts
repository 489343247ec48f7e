import type { Space } from "../envs/spaces.js";

/** A Gymnasium-style space as a JSON Schema (for GET …/schema and clients' validation). */
export function spaceSchema(space: Space): Record<string, unknown> {
  switch (space.type) {
    case "Discrete":
      return { type: "integer", minimum: 0, maximum: space.n - 1, description: space.labels ? `one of: ${space.labels.map((l, i) => `${i} ${l}`).join(", ")}` : undefined };
    case "Box":
      return { type: "array", items: { type: "number" }, minItems: space.shape[0], maxItems: space.shape[0], description: space.labels?.join(", ") };
    case "MultiDiscrete":
      return { type: "array", prefixItems: space.nvec.map((n) => ({ type: "integer", minimum: 0, maximum: n - 1 })), minItems: space.nvec.length, maxItems: space.nvec.length };
    case "Sequence":
      return { type: "array", maxItems: space.maxLength, items: spaceSchema(space.of) };
  }
}
