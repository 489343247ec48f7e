import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { KvsimInputError } from "../../errors.js";
import { TraceBuilder } from "../trace-builder.js";
import type { Trace } from "../trace.js";

/**
 * JSONL page-access trace: one object per line, `{"page": id}` with an optional `"bytes"` or
 * `"scalars"` giving the page's size (a page's size may not change). Blank lines are skipped.
 */
export async function readJsonlTrace(file: string, name = file): Promise<Trace> {
  const builder = new TraceBuilder(file);
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === "") continue;
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
  return builder.build(name);
}

export function writeJsonlTrace(trace: Trace): string {
  const ids = trace.pageIds;
  const sizes = trace.pageBytes ?? trace.pageScalars;
  const key = trace.pageBytes ? "bytes" : "scalars";
  const seen = new Uint8Array(trace.numPages);
  let out = "";
  for (const p of trace.accesses) {
    const row: Record<string, unknown> = { page: ids ? ids[p] : p };
    // The size goes on a page's first line only.
    if (sizes && !seen[p]) row[key] = sizes[p];
    seen[p] = 1;
    out += JSON.stringify(row) + "\n";
  }
  return out;
}
