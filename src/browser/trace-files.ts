import { parse } from "csv-parse/browser/esm/sync";
import { parseJsonText } from "../json-file.js";
import { decodeBinaryTrace } from "../traces/formats/binary.js";
import { addCsvRecord, csvError, CSV_OPTIONS } from "../traces/formats/csv-record.js";
import { addJsonlLine } from "../traces/formats/jsonl-line.js";
import { parseKhlTraceList } from "../traces/khl-json.js";
import { TraceBuilder } from "../traces/trace-builder.js";
import { checkTrace, type Trace } from "../traces/trace.js";
import { checkFormat, detectFormat, type TraceFormat } from "../traces/trace-format.js";

/**
 * Parses a trace file's bytes (a file dropped on the page, or fetched) with the same rules and
 * error messages as the Node readers. Returns every trace in it: one, except for a khl-json list.
 */
export function parseTraceFile(bytes: Uint8Array, fileName: string, format?: string): Trace[] {
  const traces = parseAs(bytes, fileName, checkFormat(format ?? detectFormat(fileName)));
  for (const trace of traces) checkTrace(trace, fileName);
  return traces;
}

function parseAs(bytes: Uint8Array, fileName: string, fmt: TraceFormat): Trace[] {
  if (fmt === "kvt") return [decodeBinaryTrace(bytes, fileName, fileName)];
  const text = new TextDecoder().decode(bytes);
  if (fmt === "khl-json") return parseKhlTraceList(parseJsonText(text, fileName), fileName);
  const builder = new TraceBuilder(fileName);
  if (fmt === "jsonl") {
    text.split(/\r?\n/).forEach((line, i) => addJsonlLine(builder, line, i + 1, fileName));
  } else {
    try {
      const rows = parse(text, CSV_OPTIONS) as unknown as { record: Record<string, string>; info: { lines: number } }[];
      for (const { record, info } of rows) addCsvRecord(builder, record, info.lines, fileName);
    } catch (err) {
      throw csvError(err, fileName);
    }
  }
  return [builder.build(fileName)];
}
