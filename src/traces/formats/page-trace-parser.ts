import type { TraceBuilder } from "../trace-builder.js";
import type { CsvLayout } from "./csv-layout.js";
import { SkippingBom, type ChunkParser } from "./chunk-parser.js";
import { PageCsvParser } from "./page-csv.js";
import { PageJsonlParser } from "./page-jsonl.js";

/** The parser of a CSV (its columns by `layout`, when given) or JSONL page trace, as the Node readers and the browser use it. */
export function pageTraceParser(format: "csv" | "jsonl", builder: TraceBuilder, file: string, layout?: CsvLayout): ChunkParser {
  return new SkippingBom(format === "csv" ? new PageCsvParser(builder, file, layout) : new PageJsonlParser(builder, file));
}
