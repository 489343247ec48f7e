import { KvsimInputError } from "../../errors.js";
import { BYTES, NO_SIZE, SCALARS, type TraceBuilder } from "../trace-builder.js";

/** One JSONL line into the builder, by JSON.parse: the lines PageJsonlParser does not read in place. */
export function addJsonlLine(builder: TraceBuilder, text: string, line: number, file: string): void {
  // A byte-order mark some editors write before the first line is not part of the JSON.
  if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === "") return;
  let row: unknown;
  try {
    row = JSON.parse(text);
  } catch {
    throw new KvsimInputError(`${file}:${line}: not a JSON object: ${text.slice(0, 80)}`);
  }
  if (typeof row !== "object" || row === null || Array.isArray(row)) {
    throw new KvsimInputError(`${file}:${line}: expected an object like {"page": "p1"}`);
  }
  const { page, bytes, scalars } = row as Record<string, unknown>;
  if (page === undefined) throw new KvsimInputError(`${file}:${line}: missing "page" (a string or number)`);
  if (typeof page !== "string" && typeof page !== "number") {
    throw new KvsimInputError(`${file}:${line}: "page" must be a string or number, got ${JSON.stringify(page)}`);
  }
  if (bytes !== undefined) builder.add(String(page), line, BYTES, sizeValue(bytes, "bytes", line, file));
  else if (scalars !== undefined) builder.add(String(page), line, SCALARS, sizeValue(scalars, "scalars", line, file));
  else builder.add(String(page), line, NO_SIZE);
}

/** A size as written: a number, or a string of one; anything else (an object, an array) is named as JSON. */
function sizeValue(value: unknown, kind: string, line: number, file: string): number {
  if (typeof value === "number" || typeof value === "string") return Number(value);
  throw new KvsimInputError(`${file}:${line}: ${kind} must be a positive integer, got ${JSON.stringify(value)}`);
}
