import { parseJsonText } from "../json-file.js";
import { decodeBinaryTrace } from "../traces/formats/binary.js";
import { decodeOracleGeneral } from "../traces/formats/oracle-general.js";
import { pageTraceParser } from "../traces/formats/page-trace-parser.js";
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
  if (fmt === "oracle-general") return [decodeOracleGeneral(bytes, fileName, fileName)];
  if (fmt === "khl-json") return parseKhlTraceList(parseJsonText(new TextDecoder().decode(bytes), fileName), fileName);
  const builder = new TraceBuilder(fileName);
  // The whole file is one chunk: the same parsers as the Node readers, so the same rules and errors.
  pageTraceParser(fmt, builder, fileName).parse(bytes, 0, bytes.length, true);
  return [builder.build(fileName)];
}
