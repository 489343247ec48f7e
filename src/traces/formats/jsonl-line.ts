import { KvsimInputError } from "../../errors.js";
import type { TraceBuilder } from "../trace-builder.js";

/** One JSONL line into the builder (shared by the file reader and the in-memory parser). */
export function addJsonlLine(builder: TraceBuilder, text: string, line: number, file: string): void {
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
  if (typeof page !== "string" && typeof page !== "number") {
    throw new KvsimInputError(`${file}:${line}: missing "page" (a string or number)`);
  }
  const size = bytes !== undefined ? { kind: "bytes" as const, value: Number(bytes) }
    : scalars !== undefined ? { kind: "scalars" as const, value: Number(scalars) } : undefined;
  builder.add(String(page), line, size);
}
