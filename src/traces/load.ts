import { accessSync, constants, readFileSync, statSync } from "node:fs";
import { basename } from "node:path";
import { KvsimInputError } from "../errors.js";
import { fileErrorText } from "../json-file.js";
import { writeFileAtomic, writeFileAtomicChunks } from "../report/write-atomic.js";
import { decodeBinaryTrace, encodeBinaryTrace } from "./formats/binary.js";
import { csvTraceChunks } from "./formats/csv.js";
import type { CsvLayout } from "./formats/csv-layout.js";
import { encodeOracleGeneral } from "./formats/oracle-general.js";
import { readOracleGeneralFile } from "./formats/oracle-general-file.js";
import { jsonlTraceChunks } from "./formats/jsonl.js";
import type { ReadProgress } from "./formats/read-chunks.js";
import { readPageTrace } from "./formats/read-page-trace.js";
import { readKhlTraceList } from "./khl-json.js";
import { checkTrace, type Trace } from "./trace.js";
import { checkFormat, detectFormat, TRACE_FORMATS, WRITABLE_TRACE_FORMATS } from "./trace-format.js";

export { TRACE_FORMATS };

function unreadable(file: string, err: unknown): KvsimInputError {
  return new KvsimInputError(`cannot read ${file}: ${fileErrorText(err)}`);
}

function readBytes(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (err) {
    throw unreadable(file, err);
  }
}

/** Fails early with a clear message when a file cannot be opened (streams report it late). */
function checkReadable(file: string): void {
  try {
    accessSync(file, constants.R_OK);
    if (statSync(file).isDirectory()) throw Object.assign(new Error("a directory"), { code: "EISDIR" });
  } catch (err) {
    throw unreadable(file, err);
  }
}

/**
 * Reads one trace; `index` picks an entry of a multi-trace file (khl-json), default 0.
 * `onProgress` hears of the bytes read of a CSV, JSONL or oracleGeneral file, which are read in chunks.
 * `csvLayout` reads a CSV by columns other than kvsim's (libCacheSim's traces).
 */
export async function readTrace(file: string, format?: string, index = 0, onProgress?: ReadProgress, csvLayout?: CsvLayout): Promise<Trace> {
  // A directory or a missing file is said as such, before its name is read for a format.
  checkReadable(file);
  const fmt = checkFormat(format ?? detectFormat(file));
  if (csvLayout && fmt !== "csv") throw new KvsimInputError(`${file}: --trace-params only applies to CSV traces (this one is ${fmt})`);
  const name = basename(file);
  let trace: Trace;
  if (fmt === "khl-json") {
    const traces = readKhlTraceList(file);
    const picked = traces[index];
    if (!picked) throw new KvsimInputError(`${file}: --trace-index ${index} out of range (the file holds ${traces.length} traces)`);
    trace = picked;
  } else {
    if (index !== 0) throw new KvsimInputError(`${file}: --trace-index only applies to multi-trace khl-json files`);
    if (fmt === "kvt") {
      trace = decodeBinaryTrace(readBytes(file), file, name);
    } else if (fmt === "oracle-general") {
      trace = readOracleGeneralFile(file, name, onProgress);
    } else {
      trace = await readPageTrace(file, fmt, name, onProgress, csvLayout);
    }
  }
  checkTrace(trace, file);
  return trace;
}

/** Writes a trace in any format but khl-json; the file appears whole or not at all. Text is written in chunks. */
export function writeTrace(trace: Trace, file: string, format?: string): void {
  const fmt = checkFormat(format ?? detectFormat(file));
  if (fmt === "khl-json") throw new KvsimInputError(`writing khl-json traces is not supported; use ${WRITABLE_TRACE_FORMATS.join(", ")}`);
  if (fmt === "kvt") writeFileAtomic(file, encodeBinaryTrace(trace));
  else if (fmt === "oracle-general") writeFileAtomic(file, encodeOracleGeneral(trace));
  else writeFileAtomicChunks(file, fmt === "jsonl" ? jsonlTraceChunks(trace) : csvTraceChunks(trace));
}
