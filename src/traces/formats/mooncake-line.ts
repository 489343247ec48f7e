import { KvsimInputError } from "../../errors.js";
import { fieldError, shown } from "./field-error.js";

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** One line of a Mooncake trace, its fields checked for type and sign. */
export interface MooncakeRow {
  /** ms */
  timestamp: number;
  input: number;
  output: number;
  ids: number[];
}

/**
 * Parses line `line` of a Mooncake trace: `undefined` for a blank line, else its fields, each
 * checked (a bad one is an input error naming the file, line and field). Both readers of the
 * format (page replays, src/traces/formats/mooncake.ts, and timed serving,
 * src/timed/trace-formats.ts) read lines through it; it needs no Node module, so the browser has it.
 */
export function parseMooncakeLine(text: string, line: number, file: string): MooncakeRow | undefined {
  if (text.trim() === "") return undefined;
  let row: unknown;
  try {
    row = JSON.parse(text);
  } catch {
    throw new KvsimInputError(`${file}:${line}: not a JSON object: ${text.slice(0, 80)}`);
  }
  if (typeof row !== "object" || row === null || Array.isArray(row)) throw new KvsimInputError(`${file}:${line}: expected a JSON object`);
  const { timestamp, input_length: input, output_length: output, hash_ids: ids } = row as Record<string, unknown>;
  const fail = (field: string, what: string, value: unknown) => fieldError(file, line, field, what, shown(value));
  if (typeof timestamp !== "number" || !Number.isFinite(timestamp) || timestamp < 0) throw fail("timestamp", "a non-negative number of milliseconds", timestamp);
  if (!isCount(input) || input === 0) throw fail("input_length", "a positive integer", input);
  if (!isCount(output)) throw fail("output_length", "a non-negative integer", output);
  if (!Array.isArray(ids)) throw fail("hash_ids", "an array of block ids", ids);
  ids.forEach((id, k) => {
    if (!isCount(id)) throw fail(`hash_ids[${k}]`, "a non-negative integer", id);
  });
  return { timestamp, input, output, ids: ids as number[] };
}

