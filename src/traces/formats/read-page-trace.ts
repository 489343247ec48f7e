import { TraceBuilder } from "../trace-builder.js";
import type { CsvLayout } from "./csv-layout.js";
import type { Trace } from "../trace.js";
import { pageTraceParser } from "./page-trace-parser.js";
import { readChunks, type ReadProgress } from "./read-chunks.js";

/** Reads a CSV or JSONL page trace file in chunks through the format's parser. */
export async function readPageTrace(file: string, format: "csv" | "jsonl", name: string, onProgress?: ReadProgress, layout?: CsvLayout): Promise<Trace> {
  const builder = new TraceBuilder(file);
  await readChunks(file, pageTraceParser(format, builder, file, layout), (read, total) => {
    builder.expectRows(read, total);
    onProgress?.(read, total);
  });
  return builder.build(name);
}
