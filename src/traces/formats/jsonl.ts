import type { Trace } from "../trace.js";
import { textChunks } from "./text-chunks.js";

/**
 * A trace as JSONL text, in chunks: `{"page":id}` per access, with the page's `"bytes"` or
 * `"scalars"` on its first line only. Each page's id is made JSON once, not once per line.
 */
export function jsonlTraceChunks(trace: Trace): Iterable<string> {
  const ids = trace.pageIds?.map((id) => JSON.stringify(id));
  const sizes = trace.pageBytes ?? trace.pageScalars;
  const key = trace.pageBytes ? "bytes" : "scalars";
  const seen = new Uint8Array(trace.numPages);
  const { accesses } = trace;
  return textChunks("", accesses.length, (i) => {
    const p = accesses[i]!;
    const id = ids ? ids[p]! : String(p);
    const first = sizes && !seen[p];
    seen[p] = 1;
    return first ? `{"page":${id},"${key}":${sizes[p]}}\n` : `{"page":${id}}\n`;
  });
}
