import { createReadStream } from "node:fs";
import { parse } from "csv-parse";
import { TraceBuilder } from "../trace-builder.js";
import { addCsvRecord, csvError, CSV_OPTIONS } from "./csv-record.js";
import type { Trace } from "../trace.js";

/**
 * CSV page-access trace with a header row: a `page` column and optionally `bytes` or `scalars`
 * (other columns, such as a timestamp, are ignored).
 */
export async function readCsvTrace(file: string, name = file): Promise<Trace> {
  const builder = new TraceBuilder(file);
  const parser = createReadStream(file).pipe(parse(CSV_OPTIONS));
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      addCsvRecord(builder, record, info.lines, file);
    }
  } catch (err) {
    throw csvError(err, file);
  }
  return builder.build(name);
}

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
