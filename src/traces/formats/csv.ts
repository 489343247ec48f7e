import { createReadStream } from "node:fs";
import { parse } from "csv-parse";
import { KvsimInputError } from "../../errors.js";
import { TraceBuilder } from "../trace-builder.js";
import type { Trace } from "../trace.js";

/**
 * CSV page-access trace with a header row: a `page` column and optionally `bytes` or `scalars`
 * (other columns, such as a timestamp, are ignored).
 */
export async function readCsvTrace(file: string, name = file): Promise<Trace> {
  const builder = new TraceBuilder(file);
  const parser = createReadStream(file).pipe(parse({ columns: true, info: true, skip_empty_lines: true, trim: true }));
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      const line = info.lines;
      const page = record.page;
      if (page === undefined) throw new KvsimInputError(`${file}:1: the header needs a "page" column`);
      if (page === "") throw new KvsimInputError(`${file}:${line}: empty page id`);
      const size = record.bytes !== undefined && record.bytes !== "" ? { kind: "bytes" as const, value: Number(record.bytes) }
        : record.scalars !== undefined && record.scalars !== "" ? { kind: "scalars" as const, value: Number(record.scalars) }
        : undefined;
      builder.add(page, line, size);
    }
  } catch (err) {
    if (err instanceof KvsimInputError) throw err;
    const e = err as Error & { lines?: number };
    throw new KvsimInputError(`${file}${e.lines ? `:${e.lines}` : ""}: ${e.message}`);
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
