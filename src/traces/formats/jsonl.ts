import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { TraceBuilder } from "../trace-builder.js";
import { addJsonlLine } from "./jsonl-line.js";
import type { Trace } from "../trace.js";

/**
 * JSONL page-access trace: one object per line, `{"page": id}` with an optional `"bytes"` or
 * `"scalars"` giving the page's size (a page's size may not change). Blank lines are skipped.
 */
export async function readJsonlTrace(file: string, name = file): Promise<Trace> {
  const builder = new TraceBuilder(file);
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) addJsonlLine(builder, text, ++line, file);
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
