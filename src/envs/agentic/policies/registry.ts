import { KvsimInputError } from "../../../errors.js";
import { greedyPolicy } from "./greedy.js";
import { keepOnly } from "./keep-only.js";
import type { AgenticPolicy } from "./policy.js";
import { randomPolicy } from "./random.js";

/** The built-in agentic policies, by name. */
export const AGENTIC_POLICIES: Record<string, { summary: string; make(): AgenticPolicy }> = {
  "keep-only": { summary: "calls keep every turn (passive baseline)", make: keepOnly },
  random: { summary: "1–3 calls a turn, uniform tool and visible id (seeded)", make: randomPolicy },
  greedy: { summary: "compress the largest, then evict by eviction value, until the projected usage is under 80% of the budget", make: greedyPolicy },
};

export function makeAgenticPolicy(name: string): AgenticPolicy {
  const spec = Object.hasOwn(AGENTIC_POLICIES, name) ? AGENTIC_POLICIES[name] : undefined;
  if (!spec) throw new KvsimInputError(`unknown agentic policy "${name}" (known: ${Object.keys(AGENTIC_POLICIES).join(", ")})`);
  return spec.make();
}
