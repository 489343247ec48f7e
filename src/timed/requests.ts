import { parse } from "csv-parse/sync";
import { KvsimInputError } from "../errors.js";
import { readTextFile } from "../json-file.js";
import { CSV_OPTIONS, csvError } from "../traces/formats/csv-record.js";

/** A request of a serving simulation: when it arrives and how many tokens it reads and writes. */
export interface ServingRequest {
  /** Seconds from the simulation's zero. */
  arrival: number;
  prompt: number;
  /** Output tokens, the first one (made by the prefill) included. */
  output: number;
}

const COLUMNS = ["arrival_s", "prompt_tokens", "output_tokens"] as const;

/**
 * Requests from CSV text with the header `arrival_s,prompt_tokens,output_tokens` (more columns are
 * ignored): the format of Vidur's `requests_in.csv`. Row i (0-based, after the header) is request
 * i. Bad values are input errors naming the file, line and column.
 */
export function parseRequestsCsv(text: string, file: string): ServingRequest[] {
  let rows: { record: Record<string, string>; info: { lines: number } }[];
  try {
    rows = parse(text, CSV_OPTIONS) as typeof rows;
  } catch (err) {
    throw csvError(err, file);
  }
  if (rows.length === 0) throw new KvsimInputError(`${file}: no requests (a header ${COLUMNS.join(",")} and one line per request)`);
  const missing = COLUMNS.filter((c) => !(c in rows[0]!.record));
  if (missing.length) throw new KvsimInputError(`${file}:1: the header needs the column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`);
  return rows.map(({ record, info }) => {
    const value = (column: (typeof COLUMNS)[number], valid: (x: number) => boolean, what: string): number => {
      const x = Number(record[column]);
      if (record[column] === "" || !valid(x)) throw new KvsimInputError(`${file}:${info.lines}: ${column} must be ${what}, got "${record[column]}"`);
      return x;
    };
    return {
      arrival: value("arrival_s", (x) => Number.isFinite(x) && x >= 0, "a non-negative number of seconds"),
      prompt: value("prompt_tokens", (x) => Number.isInteger(x) && x >= 1, "a positive integer"),
      output: value("output_tokens", (x) => Number.isInteger(x) && x >= 1, "a positive integer (the first token included)"),
    };
  });
}

export function readRequestsCsv(file: string): ServingRequest[] {
  return parseRequestsCsv(readTextFile(file), file);
}
