import { KvsimInputError } from "../errors.js";
import { readKhlTraceList } from "./khl-json.js";
import type { Trace } from "./trace.js";

/** Trace file formats kvsim reads. */
export const TRACE_FORMATS = ["khl-json"] as const;
export type TraceFormat = (typeof TRACE_FORMATS)[number];

/** Picks a format from the file name when none is given. */
export function detectFormat(file: string): TraceFormat {
  if (file.endsWith(".json")) return "khl-json";
  throw new KvsimInputError(`${file}: cannot tell the trace format from the name; pass --trace-format (${TRACE_FORMATS.join(", ")})`);
}

/** Reads one trace from a file; `index` picks an entry of a multi-trace file (default 0). */
export function loadTrace(file: string, format: string | undefined, index = 0): Trace {
  const fmt = (format ?? detectFormat(file)) as TraceFormat;
  if (!TRACE_FORMATS.includes(fmt)) {
    throw new KvsimInputError(`unknown trace format "${format}" (known: ${TRACE_FORMATS.join(", ")})`);
  }
  const traces = readKhlTraceList(file);
  const trace = traces[index];
  if (!trace) throw new KvsimInputError(`${file}: --trace-index ${index} out of range (the file holds ${traces.length} traces)`);
  return trace;
}
