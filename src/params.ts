import { KvsimInputError } from "./errors.js";

/** A declared numeric parameter (of a policy or a workload). */
export interface ParamSpec {
  name: string;
  default: number;
  integer: boolean;
  min: number;
  /** The greatest valid value; none when absent. */
  max?: number;
  description: string;
}

export const numberParam = (name: string, def: number, description: string, min = 0, max?: number): ParamSpec =>
  ({ name, default: def, integer: false, min, ...(max !== undefined ? { max } : {}), description });
export const intParam = (name: string, def: number, description: string, min = 0, max?: number): ParamSpec =>
  ({ name, default: def, integer: true, min, ...(max !== undefined ? { max } : {}), description });

/**
 * Merges user values over declared defaults. Unknown names, non-numbers, fractions for integers
 * and values below the minimum are input errors naming `owner` and the parameter. Numeric strings
 * (from `--param k=v`) are accepted.
 */
export function resolveParams(owner: string, specs: readonly ParamSpec[], values: Record<string, unknown> = {}): Record<string, number> {
  const known = new Set(specs.map((s) => s.name));
  for (const key of Object.keys(values)) {
    if (!known.has(key)) {
      throw new KvsimInputError(`${owner} has no parameter "${key}" (parameters: ${known.size ? [...known].join(", ") : "none"})`);
    }
  }
  const out: Record<string, number> = {};
  for (const spec of specs) {
    const raw = values[spec.name] ?? spec.default;
    const value = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : raw;
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new KvsimInputError(`${owner} parameter "${spec.name}" must be a number, got ${JSON.stringify(raw)}`);
    }
    if (spec.integer && !Number.isInteger(value)) {
      throw new KvsimInputError(`${owner} parameter "${spec.name}" must be an integer, got ${value}`);
    }
    if (value < spec.min) throw new KvsimInputError(`${owner} parameter "${spec.name}" must be ≥ ${spec.min}, got ${value}`);
    if (spec.max !== undefined && value > spec.max) throw new KvsimInputError(`${owner} parameter "${spec.name}" must be ≤ ${spec.max}, got ${value}`);
    out[spec.name] = value;
  }
  return out;
}
