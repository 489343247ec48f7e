import type { Trace } from "../trace.js";
import { textChunks } from "./text-chunks.js";

/** A trace as CSV text (`page` and `bytes` or `scalars`), in chunks; ids that need it are quoted. */
export function csvTraceChunks(trace: Trace): Iterable<string> {
  const sizes = trace.pageBytes ?? trace.pageScalars;
  const key = trace.pageBytes ? "bytes" : "scalars";
  const quote = (s: string): string => (/[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  const ids = trace.pageIds?.map(quote);
  const { accesses } = trace;
  return textChunks(sizes ? `page,${key}\n` : "page\n", accesses.length, (i) => {
    const p = accesses[i]!;
    const id = ids ? ids[p]! : String(p);
    return sizes ? `${id},${sizes[p]}\n` : `${id}\n`;
  });
}
