import { ProfileGrid } from "../../assembly/abi/timed.js";
import { KvsimInputError } from "../errors.js";
import { nodeBuiltin } from "../util/node-builtins.js";
import { fileErrorText } from "../json-file.js";

/**
 * Per-operation timing tables in the format of Vidur's prediction grids (ms per layer), the
 * `profile` time model: a user who profiled a GPU with Vidur's profiler brings these. Each table is
 * a gzip CSV with a header, values as round-trip decimals (parsed with `Number`, which rounds
 * correctly, so each value is the one Vidur holds in memory).
 */
/** In the engine's order (assembly/abi/timed.ts's `ProfileTable`). */
export const LINEAR_OPS = [
  "attn_pre_proj", "attn_post_proj", "attn_rope", "input_layernorm", "post_attention_layernorm",
  "mlp_up_proj", "mlp_down_proj", "mlp_act", "add", "attn_kv_cache_save",
] as const;
export type LinearOp = (typeof LINEAR_OPS)[number];

/** Largest token count, batch size and KV length the grids hold, and the KV step (the engine's too). */
export const MAX_TOKENS: number = ProfileGrid.maxTokens;
export const MAX_DECODE_BATCH: number = ProfileGrid.maxDecodeBatch;
export const KV_STEP: number = ProfileGrid.kvStep;
const KV_KEYS = MAX_TOKENS / KV_STEP + 1;

/** Where `decode` holds batch size `batch` at KV length `kv` (a multiple of KV_STEP). */
export const decodeIndex = (batch: number, kv: number): number => batch * KV_KEYS + kv / KV_STEP;
/** Where `prefill` holds summed KV length `kv` (a multiple of KV_STEP) and chunk `chunk` (keyed by chunk² in the file). */
export const prefillIndex = (kv: number, chunk: number): number => (kv / KV_STEP) * (MAX_TOKENS + 1) + chunk;

export interface ProfileTables {
  /** Per linear op, its time at 1 … 4096 tokens (index = tokens; index 0 unused). */
  linear: Record<LinearOp, Float64Array>;
  /** Decode attention at `decodeIndex(batch size, kv)`, batch size 1 … 128, kv 0 … 4096. */
  decode: Float64Array;
  /** Prefill attention at `prefillIndex(kv, chunk)`, kv 0 … 4096, chunk 1 … 4096. */
  prefill: Float64Array;
}

/** A table's file name in a predictor-table directory. */
export const tableFile = (op: string): string => `${op}_predictions.csv.gz`;

/**
 * Calls `row(fields, line)` for every data line of a table's CSV text, checking its header; `file`
 * names it in errors. The text is scanned for commas and newlines in place (splitting it into
 * lines and fields made a third of a million short strings and took most of reading the tables);
 * `fields` is reused between calls.
 */
function eachRow(text: string, file: string, header: string, row: (fields: number[], line: number) => void): void {
  const firstEnd = text.indexOf("\n") < 0 ? text.length : text.indexOf("\n");
  if (text.slice(0, firstEnd).trim() !== header) throw new KvsimInputError(`${file}:1: expected the header "${header}", got "${text.slice(0, firstEnd)}"`);
  const width = header.split(",").length;
  const fields = new Array<number>(width);
  let line = 1;
  for (let start = firstEnd + 1; start < text.length; line++) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    // A blank line (only spaces or a CR) is skipped; a data line starts with a digit.
    if (text.charCodeAt(start) <= 32 && text.slice(start, end).trim() === "") {
      start = end + 1;
      continue;
    }
    const bad = (): never => {
      throw new KvsimInputError(`${file}:${line + 1}: expected ${width} numbers, got "${text.slice(start, end)}"`);
    };
    let at = start;
    let k = 0;
    for (; k < width; k++) {
      let stop = k === width - 1 ? end : text.indexOf(",", at);
      if (stop < 0 || stop > end) bad();
      if (k === width - 1 && text.charCodeAt(stop - 1) === 13) stop--; // a CRLF line end
      const x = at === stop ? NaN : Number(text.slice(at, stop));
      if (!Number.isFinite(x)) bad();
      fields[k] = x;
      at = stop + 1;
    }
    row(fields, line + 1);
    start = end + 1;
  }
}

/** Reads the twelve tables of a Vidur predictor-table directory; a missing key is an input error naming the table. */
/**
 * The tables from their CSV texts, by table name (`attn_pre_proj`, …, `attn_decode`,
 * `attn_prefill`; `textOf` also gives the name errors show for it). A missing key is an input
 * error naming the table.
 */
export function parseProfileTables(textOf: (table: string) => { text: string; file: string }): ProfileTables {
  const rows = (table: string, header: string, row: (fields: number[], line: number, file: string) => void): void => {
    const { text, file } = textOf(table);
    eachRow(text, file, header, (fields, line) => row(fields, line, file));
  };
  const linear = {} as Record<LinearOp, Float64Array>;
  for (const op of LINEAR_OPS) {
    const t = new Float64Array(MAX_TOKENS + 1).fill(NaN);
    rows(op, "num_tokens,prediction", ([n, v], line, file) => {
      if (!Number.isInteger(n) || n! < 1 || n! > MAX_TOKENS) throw new KvsimInputError(`${file}:${line}: num_tokens ${n} outside 1…${MAX_TOKENS}`);
      t[n!] = v!;
    });
    linear[op] = t;
  }
  const decode = new Float64Array((MAX_DECODE_BATCH + 1) * KV_KEYS).fill(NaN);
  rows("attn_decode", "batch_size,kv_cache_size,prediction", ([b, kv, v], line, file) => {
    if (!Number.isInteger(b) || b! < 1 || b! > MAX_DECODE_BATCH || kv! % KV_STEP !== 0 || kv! < 0 || kv! > MAX_TOKENS) {
      throw new KvsimInputError(`${file}:${line}: key (${b}, ${kv}) outside the grid`);
    }
    decode[decodeIndex(b!, kv!)] = v!;
  });
  const prefill = new Float64Array(KV_KEYS * (MAX_TOKENS + 1)).fill(NaN);
  rows("attn_prefill", "kv_cache_size,prefill_chunk_size_squared,prediction", ([kv, c2, v], line, file) => {
    const c = Math.round(Math.sqrt(c2!));
    if (c * c !== c2 || c < 1 || c > MAX_TOKENS || kv! % KV_STEP !== 0 || kv! < 0 || kv! > MAX_TOKENS) {
      throw new KvsimInputError(`${file}:${line}: key (${kv}, ${c2}) outside the grid`);
    }
    prefill[prefillIndex(kv!, c)] = v!;
  });
  return { linear, decode, prefill };
}

/** The names of the twelve tables, in the order they are read. */
export const PROFILE_TABLES: readonly string[] = [...LINEAR_OPS, "attn_decode", "attn_prefill"];

/** Reads the twelve gzip CSVs of a Vidur predictor-table directory (Node). */
export function readProfileTables(dir: string): ProfileTables {
  const fs = nodeBuiltin("node:fs", `reading ${dir}`);
  const zlib = nodeBuiltin("node:zlib", `reading ${dir}`);
  // A file or a missing path is said as such, not as a table missing from it.
  let isDirectory: boolean;
  try {
    isDirectory = fs.statSync(dir).isDirectory();
  } catch (err) {
    throw new KvsimInputError(`cannot read the profile tables in ${dir}: ${fileErrorText(err)}`);
  }
  if (!isDirectory) throw new KvsimInputError(`${dir} is a file; the profile time model reads a directory of Vidur's tables`);
  return parseProfileTables((table) => {
    const file = `${dir}/${tableFile(table)}`;
    try {
      return { text: zlib.gunzipSync(fs.readFileSync(file)).toString("latin1"), file };
    } catch (err) {
      throw new KvsimInputError(`cannot read ${file}: ${fileErrorText(err)}`);
    }
  });
}
