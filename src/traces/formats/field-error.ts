import { KvsimInputError } from "../../errors.js";

/** The shape every bad value of a trace is reported in: `file:line: field must be …, got …`. */
export function fieldError(file: string, line: number, field: string, what: string, got: string): KvsimInputError {
  return new KvsimInputError(`${file}:${line}: ${field} must be ${what}, got ${got}`);
}

/** A JSON value as an error shows it. */
export const shown = (value: unknown): string => (value === undefined ? "nothing" : JSON.stringify(value));
