import { KvsimInputError } from "../errors.js";

/** Collects repeated `--param k=v` options into an object. */
export function collectKeyValue(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf("=");
  if (eq <= 0) throw new KvsimInputError(`expected key=value, got "${value}"`);
  return { ...previous, [value.slice(0, eq).trim()]: value.slice(eq + 1).trim() };
}

export function parseNonNegativeInt(name: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new KvsimInputError(`${name} must be a non-negative integer, got "${value}"`);
    return n;
  };
}
