import { ProfileGrid } from "../../assembly/abi/timed.js";
import { KvsimInputError } from "../errors.js";
import { nodeBuiltin } from "../util/node-builtins.js";

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

/** Calls `row(fields, line)` for every data line of a gzip CSV, checking its header. */
function eachRow(dir: string, op: string, header: string, row: (fields: number[], line: number) => void): void {
  const file = `${dir}/${op}_predictions.csv.gz`;
  const fs = nodeBuiltin("node:fs", `reading ${file}`);
  const zlib = nodeBuiltin("node:zlib", `reading ${file}`);
  let text: string;
  try {
    text = zlib.gunzipSync(fs.readFileSync(file)).toString("utf8");
  } catch (err) {
    throw new KvsimInputError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const lines = text.split("\n");
  if (lines[0]!.trim() !== header) throw new KvsimInputError(`${file}:1: expected the header "${header}", got "${lines[0]}"`);
  const width = header.split(",").length;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === "") continue;
    const fields = line.split(",").map(Number);
    if (fields.length !== width || fields.some((x) => !Number.isFinite(x))) throw new KvsimInputError(`${file}:${i + 1}: expected ${width} numbers, got "${line}"`);
    row(fields, i + 1);
  }
}

/** Reads the twelve tables of a Vidur predictor-table directory; a missing key is an input error naming the table. */
export function readProfileTables(dir: string): ProfileTables {
  const linear = {} as Record<LinearOp, Float64Array>;
  for (const op of LINEAR_OPS) {
    const t = new Float64Array(MAX_TOKENS + 1).fill(NaN);
    eachRow(dir, op, "num_tokens,prediction", ([n, v], line) => {
      if (!Number.isInteger(n) || n! < 1 || n! > MAX_TOKENS) throw new KvsimInputError(`${dir}/${op}_predictions.csv.gz:${line}: num_tokens ${n} outside 1…${MAX_TOKENS}`);
      t[n!] = v!;
    });
    linear[op] = t;
  }
  const decode = new Float64Array((MAX_DECODE_BATCH + 1) * KV_KEYS).fill(NaN);
  eachRow(dir, "attn_decode", "batch_size,kv_cache_size,prediction", ([b, kv, v], line) => {
    if (!Number.isInteger(b) || b! < 1 || b! > MAX_DECODE_BATCH || kv! % KV_STEP !== 0 || kv! < 0 || kv! > MAX_TOKENS) {
      throw new KvsimInputError(`${dir}/attn_decode_predictions.csv.gz:${line}: key (${b}, ${kv}) outside the grid`);
    }
    decode[decodeIndex(b!, kv!)] = v!;
  });
  const prefill = new Float64Array(KV_KEYS * (MAX_TOKENS + 1)).fill(NaN);
  eachRow(dir, "attn_prefill", "kv_cache_size,prefill_chunk_size_squared,prediction", ([kv, c2, v], line) => {
    const c = Math.round(Math.sqrt(c2!));
    if (c * c !== c2 || c < 1 || c > MAX_TOKENS || kv! % KV_STEP !== 0 || kv! < 0 || kv! > MAX_TOKENS) {
      throw new KvsimInputError(`${dir}/attn_prefill_predictions.csv.gz:${line}: key (${kv}, ${c2}) outside the grid`);
    }
    prefill[prefillIndex(kv!, c)] = v!;
  });
  return { linear, decode, prefill };
}
