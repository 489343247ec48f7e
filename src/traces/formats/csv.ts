import type { Trace } from "../trace.js";

export function writeCsvTrace(trace: Trace): string {
  const sizes = trace.pageBytes ?? trace.pageScalars;
  const key = trace.pageBytes ? "bytes" : "scalars";
  const quote = (s: string): string => (/[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  let out = sizes ? `page,${key}\n` : "page\n";
  for (const p of trace.accesses) {
    const id = quote(trace.pageIds ? trace.pageIds[p]! : String(p));
    out += sizes ? `${id},${sizes[p]}\n` : `${id}\n`;
  }
  return out;
}
