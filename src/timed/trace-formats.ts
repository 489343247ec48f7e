import { parse } from "csv-parse/sync";
import { KvsimInputError } from "../errors.js";
import { readTextFile } from "../json-file.js";
import { CSV_OPTIONS, csvError } from "../traces/formats/csv-record.js";
import { fieldError, shown } from "../traces/formats/field-error.js";
import { parseMooncakeLine } from "../traces/formats/mooncake-line.js";
import type { ServingRequest } from "./requests.js";

/** The request-trace formats a timed simulation reads (docs/formats.md, "Serving request traces"). */
export const SERVING_TRACE_FORMATS = ["vidur", "mooncake", "azure"] as const;
export type ServingTraceFormat = (typeof SERVING_TRACE_FORMATS)[number];

/** Mooncake's `hash_ids` name 512-token blocks. */
const MOONCAKE_BLOCK_TOKENS = 512;

const isPositiveInteger = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 1;
const isCount = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;
const isNonNegative = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x) && x >= 0;


interface CsvRow {
  record: Record<string, string>;
  line: number;
}

/** CSV records with the columns a format needs (more are ignored); no records is an input error. */
function csvRows(text: string, file: string, columns: readonly string[]): CsvRow[] {
  let rows: { record: Record<string, string>; info: { lines: number } }[];
  try {
    rows = parse(text, CSV_OPTIONS) as typeof rows;
  } catch (err) {
    throw csvError(err, file);
  }
  if (rows.length === 0) throw new KvsimInputError(`${file}: no requests (a header ${columns.join(",")} and one line per request)`);
  const missing = columns.filter((c) => !(c in rows[0]!.record));
  if (missing.length) throw new KvsimInputError(`${file}:1: the header needs the column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`);
  return rows.map(({ record, info }) => ({ record, line: info.lines }));
}

/** A CSV cell as a number that passes `valid`; the error quotes the cell as written. */
function csvNumber(row: CsvRow, column: string, file: string, valid: (x: number) => boolean, what: string): number {
  const text = row.record[column]!;
  const x = Number(text);
  if (text === "" || !valid(x)) throw fieldError(file, row.line, column, what, `"${text}"`);
  return x;
}

/**
 * Requests from CSV text with the header `arrival_s,prompt_tokens,output_tokens` (more columns are
 * ignored): the format of Vidur's `requests_in.csv`. Row i (0-based, after the header) is request
 * i. Bad values are input errors naming the file, line and column.
 */
export function parseRequestsCsv(text: string, file: string): ServingRequest[] {
  return csvRows(text, file, ["arrival_s", "prompt_tokens", "output_tokens"]).map((row) => ({
    arrival: csvNumber(row, "arrival_s", file, isNonNegative, "a non-negative number of seconds"),
    prompt: csvNumber(row, "prompt_tokens", file, isPositiveInteger, "a positive integer"),
    output: csvNumber(row, "output_tokens", file, isPositiveInteger, "a positive integer (the first token included)"),
  }));
}

export function readRequestsCsv(file: string): ServingRequest[] {
  return parseRequestsCsv(readTextFile(file), file);
}

/** One line of a Mooncake trace as a request; `undefined` for a blank line. */
function mooncakeRequest(text: string, line: number, file: string): ServingRequest | undefined {
  const row = parseMooncakeLine(text, line, file);
  if (!row) return undefined;
  const { timestamp, input, output, ids } = row;
  // A timed request's ids must cover its prompt.
  const blocks = Math.ceil(input / MOONCAKE_BLOCK_TOKENS);
  if (ids.length !== blocks) {
    throw fieldError(file, line, "hash_ids", `${blocks} ids long (${input} input tokens in ${MOONCAKE_BLOCK_TOKENS}-token blocks)`, shown(ids.length));
  }
  return {
    arrival: timestamp / 1000,
    prompt: input,
    // A request that generated nothing still ran its prefill, which makes the first token.
    output: Math.max(1, output),
    content: { blockTokens: MOONCAKE_BLOCK_TOKENS, tokens: input, ids },
  };
}

/**
 * Requests from Mooncake's JSONL trace (FAST'25 release): one object per line, `{ timestamp (ms),
 * input_length, output_length, hash_ids }`. The hash ids become the prompt's prefix blocks; an
 * output of 0 counts as 1. Blank lines are skipped.
 */
export function parseMooncakeRequests(text: string, file: string): ServingRequest[] {
  const requests: ServingRequest[] = [];
  text.split("\n").forEach((lineText, i) => {
    const request = mooncakeRequest(lineText, i + 1, file);
    if (request) requests.push(request);
  });
  if (requests.length === 0) throw new KvsimInputError(`${file}: no requests (one JSON object per line)`);
  return requests;
}

/** A UTC instant as whole seconds since the epoch and the decimal digits of the fraction, as written. */
interface Instant {
  seconds: number;
  fraction: string;
}

const AZURE_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:Z|\+00:00)?$/;

/** `2023-11-16 18:15:46.6805900` as an instant (UTC: the traces carry no time zone); undefined if invalid. */
function parseInstant(text: string): Instant | undefined {
  const m = AZURE_TIMESTAMP.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls 2023-02-30 over into March and reads years 0-99 as 1900-1999: a date that does
  // not come back unchanged is invalid.
  const date = new Date(ms);
  const unchanged = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  if (!unchanged || hour > 23 || minute > 59 || second > 59) return undefined;
  return { seconds: ms / 1000, fraction: m[7] ?? "" };
}

/** An instant in units of 10^-digits seconds, exact for any number of fraction digits. */
const inUnits = (t: Instant, digits: number): bigint => BigInt(t.seconds) * 10n ** BigInt(digits) + BigInt(t.fraction.padEnd(digits, "0") || "0");

/** `units` × 10^-digits as the nearest double (one rounding, through the decimal text). */
function unitsToSeconds(units: bigint, digits: number): number {
  if (digits === 0) return Number(units);
  const text = units.toString().padStart(digits + 1, "0");
  return Number(`${text.slice(0, -digits)}.${text.slice(-digits)}`);
}

/**
 * Requests from the Azure LLM inference traces (2023, used by Splitwise; 2024, used by DynamoLLM):
 * CSV with the header `TIMESTAMP,ContextTokens,GeneratedTokens`. A request's arrival is the
 * seconds from the trace's earliest timestamp (the first row's, as the traces are sorted), to the
 * timestamp's last digit. A `GeneratedTokens` of 0 counts as 1.
 */
export function parseAzureRequests(text: string, file: string): ServingRequest[] {
  const rows = csvRows(text, file, ["TIMESTAMP", "ContextTokens", "GeneratedTokens"]).map((row) => {
    const instant = parseInstant(row.record.TIMESTAMP!);
    if (!instant) throw fieldError(file, row.line, "TIMESTAMP", "a date and time like 2023-11-16 18:15:46.6805900", `"${row.record.TIMESTAMP}"`);
    return {
      instant,
      prompt: csvNumber(row, "ContextTokens", file, isPositiveInteger, "a positive integer"),
      output: Math.max(1, csvNumber(row, "GeneratedTokens", file, isCount, "a non-negative integer")),
    };
  });
  const digits = rows.reduce((most, r) => Math.max(most, r.instant.fraction.length), 0);
  const units = rows.map((r) => inUnits(r.instant, digits));
  const zero = units.reduce((a, b) => (b < a ? b : a));
  return rows.map((r, i) => ({ arrival: unitsToSeconds(units[i]! - zero, digits), prompt: r.prompt, output: r.output }));
}

const PARSERS: Record<ServingTraceFormat, (text: string, file: string) => ServingRequest[]> = {
  vidur: parseRequestsCsv,
  mooncake: parseMooncakeRequests,
  azure: parseAzureRequests,
};

/**
 * The format of a trace from its name and text: `.jsonl` or a first line that is a JSON object is
 * mooncake; a CSV header with a `TIMESTAMP` column is azure, one with `arrival_s` is vidur.
 */
export function detectServingTraceFormat(file: string, text: string): ServingTraceFormat {
  if (file.toLowerCase().endsWith(".jsonl")) return "mooncake";
  const first = text.split("\n").find((l) => l.trim() !== "")?.trim();
  if (first === undefined) throw new KvsimInputError(`${file}: no requests (the file is empty)`);
  if (first.startsWith("{")) return "mooncake";
  const columns = first.split(",").map((c) => c.trim());
  if (columns.includes("TIMESTAMP")) return "azure";
  if (columns.includes("arrival_s")) return "vidur";
  throw new KvsimInputError(
    `${file}: cannot tell the trace format (a .jsonl file is mooncake; a CSV header with TIMESTAMP is azure, with arrival_s is vidur); name the format`,
  );
}

/** The requests of a trace's text, in file order; `auto` picks the format by `detectServingTraceFormat`. */
export function parseServingTrace(text: string, file: string, format: ServingTraceFormat | "auto" = "auto"): ServingRequest[] {
  if (format !== "auto" && !SERVING_TRACE_FORMATS.includes(format)) {
    throw new KvsimInputError(`unknown trace format "${format}" (${SERVING_TRACE_FORMATS.join(", ")} or auto)`);
  }
  return PARSERS[format === "auto" ? detectServingTraceFormat(file, text) : format](text, file);
}

/** The requests of a trace file, in file order (Node). */
export function readServingTrace(file: string, format: ServingTraceFormat | "auto" = "auto"): ServingRequest[] {
  return parseServingTrace(readTextFile(file), file, format);
}
