import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { KvsimInputError } from "../../errors.js";
import { parseMooncakeLine } from "./mooncake-line.js";
import { fileErrorText } from "../../json-file.js";

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
    throw new KvsimInputError(`cannot read ${file}: ${fileErrorText(err)}`);
  }
  if (timestamps.length === 0) throw new KvsimInputError(`${file}: no requests`);
  return {
    name, timestamps: Float64Array.from(timestamps), inputLengths: Int32Array.from(inputs), outputLengths: Int32Array.from(outputs),
    blocks: Int32Array.from(blocks), offsets: Int32Array.from(offsets), numBlocks: dense.size, blockIds: [...dense.keys()],
  };
}
