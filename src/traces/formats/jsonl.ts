import type { Trace } from "../trace.js";

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
