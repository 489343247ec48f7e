import { KvsimInputError } from "../errors.js";

/** Trace file formats kvsim reads and writes. */
export const TRACE_FORMATS = ["khl-json", "jsonl", "csv", "kvt", "oracle-general"] as const;
export type TraceFormat = (typeof TRACE_FORMATS)[number];
/** The formats kvsim writes (khl-json is kv-hierarchy-lab's input, read only). */
export const WRITABLE_TRACE_FORMATS = TRACE_FORMATS.filter((f) => f !== "khl-json");

/** Picks a format from the file name when none is given. */
export function detectFormat(file: string): TraceFormat {
  if (file.endsWith(".jsonl")) return "jsonl";
  if (file.endsWith(".json")) return "khl-json";
  if (file.endsWith(".csv")) return "csv";
  if (file.endsWith(".kvt")) return "kvt";
  // libCacheSim names its binary traces NAME.oracleGeneral.bin (or .oracleGeneral).
  if (/\.oracleGeneral(\.bin)?$/i.test(file)) return "oracle-general";
  throw new KvsimInputError(`${file}: cannot tell the trace format from the name (.jsonl, .json, .csv, .kvt or .oracleGeneral.bin); ` +
    `name it with the command's format option (run --trace-format, trace info --format, trace convert --from/--to, trace generate --format) ` +
    `or "format" in a sweep spec: ${TRACE_FORMATS.join(", ")}`);
}

export function checkFormat(format: string): TraceFormat {
  if (!(TRACE_FORMATS as readonly string[]).includes(format)) {
    throw new KvsimInputError(`unknown trace format "${format}" (known: ${TRACE_FORMATS.join(", ")})`);
  }
  return format as TraceFormat;
}
