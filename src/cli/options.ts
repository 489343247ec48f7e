import { KvsimInputError } from "../errors.js";

/** Collects repeated `--param k=v` options into an object. */
export function collectKeyValue(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf("=");
  if (eq <= 0) throw new KvsimInputError(`expected key=value, got "${value}"`);
  return { ...previous, [value.slice(0, eq).trim()]: value.slice(eq + 1).trim() };
}

function parseIntAtLeast(name: string, min: 0 | 1): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new KvsimInputError(`${name} must be a ${min === 0 ? "non-negative" : "positive"} integer, got "${value}"`);
    return n;
  };
}

export const parseNonNegativeInt = (name: string): ((value: string) => number) => parseIntAtLeast(name, 0);
export const parsePositiveInt = (name: string): ((value: string) => number) => parseIntAtLeast(name, 1);

export function parseFraction(name: string): (value: string) => number {
  return (value) => {
    const x = Number(value);
    if (!(x > 0 && x <= 1)) throw new KvsimInputError(`${name} must be in (0, 1], got "${value}"`);
    return x;
  };
}

/** A share in [0, 1): what can be set aside, never all. */
export function parseShare(name: string): (value: string) => number {
  return (value) => {
    const x = Number(value);
    if (!(x >= 0 && x < 1) || value.trim() === "") throw new KvsimInputError(`${name} must be in [0, 1), got "${value}"`);
    return x;
  };
}

export function parsePositiveNumber(name: string): (value: string) => number {
  return (value) => {
    const x = Number(value);
    if (!(Number.isFinite(x) && x > 0)) throw new KvsimInputError(`${name} must be a positive number, got "${value}"`);
    return x;
  };
}
