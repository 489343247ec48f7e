import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { KvsimInputError } from "../../errors.js";
import { fieldError, shown } from "./field-error.js";

/**
 * A request-level trace: prompts as chains of KV blocks. Blocks are renumbered densely in order of
 * first appearance; equal ids are the same cached content.
 */
export interface RequestTrace {
  name: string;
  /** Arrival time of each request, ms from the start. */
  timestamps: Float64Array;
  inputLengths: Int32Array;
  outputLengths: Int32Array;
  /** Every request's prompt blocks back to back (dense block indices). */
  blocks: Int32Array;
  /** Request r's blocks are blocks[offsets[r] .. offsets[r + 1]). */
  offsets: Int32Array;
  numBlocks: number;
  /** The trace's own id of each dense block index. */
  blockIds: number[];
}

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
 * format (page replays here, timed serving in src/timed/trace-formats.ts) read lines through it.
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

/**
 * Mooncake's JSONL request trace (FAST'25 release; also read by Dynamo's and vLLM's benchmark
 * tools): one object per line, `{ timestamp, input_length, output_length, hash_ids }`.
 * Blank lines are skipped; anything else that does not parse names its line.
 */
export async function readMooncakeTrace(file: string, name = file): Promise<RequestTrace> {
  const timestamps: number[] = [];
  const inputs: number[] = [];
  const outputs: number[] = [];
  const blocks: number[] = [];
  const offsets: number[] = [0];
  const dense = new Map<number, number>();
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of lines) {
      line++;
      const row = parseMooncakeLine(text, line, file);
      if (!row) continue;
      const { timestamp, input, output, ids } = row;
      for (const id of ids) {
        let b = dense.get(id);
        if (b === undefined) dense.set(id, (b = dense.size));
        blocks.push(b);
      }
      timestamps.push(timestamp);
      inputs.push(input);
      outputs.push(output);
      offsets.push(blocks.length);
    }
  } catch (err) {
    if (err instanceof KvsimInputError) throw err;
    throw new KvsimInputError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (timestamps.length === 0) throw new KvsimInputError(`${file}: no requests`);
  return {
    name, timestamps: Float64Array.from(timestamps), inputLengths: Int32Array.from(inputs), outputLengths: Int32Array.from(outputs),
    blocks: Int32Array.from(blocks), offsets: Int32Array.from(offsets), numBlocks: dense.size, blockIds: [...dense.keys()],
  };
}
