import { Option } from "commander";
import { KvsimInputError } from "../errors.js";
import { parseCsvLayout } from "../traces/formats/csv-layout.js";

/** Collects repeated `--param k=v` options into an object. */
export function collectKeyValue(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf("=");
  if (eq <= 0) throw new KvsimInputError(`expected key=value, got "${value}"`);
  return { ...previous, [value.slice(0, eq).trim()]: value.slice(eq + 1).trim() };
}

/**
 * An integer in [min, max], its range said in the error. Every count a command reads has a range,
 * so a huge value is refused before it sizes an allocation or a loop.
 */
export function parseIntInRange(name: string, min: number, max: number): ((value: string) => number) & { range: string } {
  const range = `${min.toLocaleString("en-US")} to ${max.toLocaleString("en-US")}`;
  const parse = (value: string): number => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isInteger(n) || n < min || n > max) throw new KvsimInputError(`${name} must be an integer from ${range}, got "${value}"`);
    return n;
  };
  // The help shows the range (main.ts reads it), so it is written once, where it is checked.
  return Object.assign(parse, { range });
}

/** The largest seed: seeds are 32-bit everywhere (a larger one would be the same seed as another, or lose digits). */
export const MAX_SEED = 0xffffffff;

/** A seed: an integer in [0, 2^32). */
export const parseSeed = (name: string): ((value: string) => number) => parseIntInRange(name, 0, MAX_SEED);

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

/** A string option that may be given once: a second value would otherwise silently replace the first. */
export function once(flag: string): (value: string, previous: string | undefined) => string {
  return (value, previous) => {
    if (previous !== undefined) throw new KvsimInputError(`${flag} given twice ("${previous}", then "${value}"); give it once`);
    return value;
  };
}

/** `--trace-params`: a CSV trace's columns, in libCacheSim's `cachesim -t` syntax (docs/formats.md). */
export function traceParamsOption(): Option {
  return new Option("--trace-params <params>", "a CSV trace's columns, as libCacheSim's cachesim -t takes them: \"obj-id-col=2, obj-size-col=3, delimiter=,, has-header=true\"")
    .argParser((v: string) => parseCsvLayout(v, "--trace-params"));
}
