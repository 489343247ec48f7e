import { readFileSync } from "node:fs";
import * as z from "zod/mini";
import { KvsimInputError } from "../errors.js";
import { writeFileAtomic } from "../report/write-atomic.js";
import { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16 } from "./half.js";
import type { TokenTrace, TokenTraceHeader } from "./trace.js";
import { fileErrorText, validate } from "../json-file.js";

const MAGIC = "KVTRACE1";
const ALIGN = 64;

type ArrayName = "positions" | "keys" | "values" | "queries" | "utility_sum" | "utility_max" | "h2o_acc" | "observed_attn" | "query_mean" | "query_cov" | "token_type" | "needle_id" | "decoy" | "events";
type Typed = Float32Array | Int32Array | Int16Array | Uint8Array;

const FIELDS: { name: ArrayName; key: keyof TokenTrace; dtype: "f32" | "i32" | "i16" | "u8"; optional?: boolean }[] = [
  { name: "positions", key: "positions", dtype: "i32" },
  { name: "keys", key: "keys", dtype: "f32" },
  { name: "values", key: "values", dtype: "f32" },
  { name: "queries", key: "queries", dtype: "f32" },
  { name: "utility_sum", key: "utilitySum", dtype: "f32" },
  { name: "utility_max", key: "utilityMax", dtype: "f32" },
  { name: "h2o_acc", key: "h2oAcc", dtype: "f32" },
  { name: "observed_attn", key: "observedAttn", dtype: "f32", optional: true },
  { name: "query_mean", key: "queryMean", dtype: "f32", optional: true },
  { name: "query_cov", key: "queryCov", dtype: "f32", optional: true },
  { name: "token_type", key: "tokenType", dtype: "u8", optional: true },
  { name: "needle_id", key: "needleId", dtype: "i16", optional: true },
  { name: "decoy", key: "decoy", dtype: "u8", optional: true },
  { name: "events", key: "events", dtype: "i32", optional: true },
];

const CTOR = { f32: Float32Array, i32: Int32Array, i16: Int16Array, u8: Uint8Array } as const;

/** What f32 arrays may be stored as: 16-bit floats are widened to f32 when read. */
export type FloatDtype = "f32" | "f16" | "bf16";
const HALF = { f16: { widen: f16ToF32, narrow: f32ToF16 }, bf16: { widen: bf16ToF32, narrow: f32ToBf16 } } as const;
/** The arrays `writeTokenTrace` narrows on request: the large ones, recorded from the model. */
const RECORDED: readonly ArrayName[] = ["keys", "values", "queries"];

const count = z.int().check(z.gte(0));
/**
 * The header fields a reader relies on, with their types (the sizes' consistency is checked after):
 * a file edited or cut by hand gets a message naming the field, not a TypeError. Fields it does not
 * name (generator, profiles) are kept as written.
 */
const headerSchema = z.looseObject({
  source: z.string(),
  model: z.looseObject({
    layers: count, qHeads: count, kvHeads: count, headDim: count, groupSize: count, softmaxScale: z.number(),
    positionBias: z.nullable(z.looseObject({ type: z.literal("linear-capped"), cap: z.number(), slopePerHead: z.array(z.number()) })),
    rope: z.optional(z.looseObject({ theta: z.number().check(z.gt(1)) })),
  }),
  tokens: z.looseObject({ context: count, future: count, total: count }),
  queryStart: count,
  gqaReduce: z.enum(["max", "mean"]),
  h2o: z.looseObject({ stride: count, window: count }),
  arrays: z.record(z.string(), z.looseObject({ dtype: z.string(), length: count, offset: count })),
});
const roundUp = (x: number) => Math.ceil(x / ALIGN) * ALIGN;

/** Expected element counts of each array, from the header. */
function expectedLength(h: TokenTraceHeader, name: ArrayName): number | undefined {
  const { layers, kvHeads, qHeads, headDim } = h.model;
  const { context, total } = h.tokens;
  switch (name) {
    case "positions": return total;
    case "keys": case "values": return layers * kvHeads * total * headDim;
    case "queries": return layers * qHeads * (total - h.queryStart) * headDim;
    case "utility_sum": case "utility_max": case "h2o_acc": case "observed_attn": return layers * kvHeads * context;
    case "query_mean": return layers * qHeads * headDim;
    case "query_cov": return layers * qHeads * headDim * headDim;
    case "token_type": case "needle_id": case "decoy": return layers * total;
    default: return undefined;
  }
}

/**
 * Writes a `.kvtrace` file (docs/formats.md): "KVTRACE1", the header length (u32 LE), a reserved
 * u32, the JSON header padded with spaces to a multiple of 64 bytes, then every array,
 * little-endian, each starting 64-byte aligned. Written atomically.
 */
export function writeTokenTrace(path: string, trace: TokenTrace, options: { kvDtype?: FloatDtype } = {}): void {
  const arrays: Record<string, { dtype: string; length: number; offset: number; bytes: number }> = {};
  const present: { typed: Typed | Uint16Array; offset: number }[] = [];
  let offset = 0;
  for (const f of FIELDS) {
    let typed: Typed | Uint16Array | undefined = trace[f.key] as Typed | undefined;
    if (!typed) continue;
    const dtype = RECORDED.includes(f.name) ? options.kvDtype ?? "f32" : f.dtype;
    if (dtype === "f16" || dtype === "bf16") typed = Uint16Array.from(typed, HALF[dtype].narrow);
    arrays[f.name] = { dtype, length: typed.length, offset, bytes: typed.byteLength };
    present.push({ typed, offset });
    offset = roundUp(offset + typed.byteLength);
  }
  const json = JSON.stringify({ ...trace.header, arrays });
  const headerBytes = roundUp(Buffer.byteLength(json) + 16) - 16;
  const blobStart = 16 + headerBytes;
  const out = Buffer.alloc(blobStart + offset);
  out.write(MAGIC, 0, "latin1");
  out.writeUInt32LE(headerBytes, 8);
  out.write(json.padEnd(headerBytes, " "), 16, "utf8");
  for (const { typed, offset: o } of present) Buffer.from(typed.buffer, typed.byteOffset, typed.byteLength).copy(out, blobStart + o);
  writeFileAtomic(path, out);
}

/** Reads a `.kvtrace` file; a malformed one is an input error naming the file and what is wrong. */
export function readTokenTrace(path: string): TokenTrace {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (err) {
    throw new KvsimInputError(`cannot read ${path}: ${fileErrorText(err)}`);
  }
  const fail = (msg: string): never => {
    throw new KvsimInputError(`${path}: ${msg}`);
  };
  if (data.length < 16 || data.toString("latin1", 0, 8) !== MAGIC) fail(`not a kvtrace file (expected magic "${MAGIC}")`);
  const headerBytes = data.readUInt32LE(8);
  if (16 + headerBytes > data.length) fail(`header length ${headerBytes} runs past the end of the file (${data.length} bytes)`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.toString("utf8", 16, 16 + headerBytes));
  } catch {
    return fail("header is not valid JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return fail("header is not a JSON object");
  const { format, version } = parsed as { format?: unknown; version?: unknown };
  if (format !== "kvtrace" || version !== 1) fail(`unsupported format ${JSON.stringify(format)} version ${JSON.stringify(version)}`);
  const header = validate(headerSchema, parsed, path) as unknown as TokenTraceHeader & { arrays: Record<string, { dtype: string; length: number; offset: number }> };
  const { model: m, tokens: tk } = header;
  if (m.qHeads !== m.kvHeads * m.groupSize) fail(`model.qHeads: expected kvHeads × groupSize = ${m.kvHeads * m.groupSize}, got ${m.qHeads}`);
  if (tk.total !== tk.context + tk.future) fail(`tokens.total: expected context + future = ${tk.context + tk.future}, got ${tk.total}`);
  if (header.queryStart > tk.context) fail(`queryStart: must be at most tokens.context (${tk.context}), got ${header.queryStart}`);
  if (m.positionBias && m.positionBias.slopePerHead.length !== m.qHeads) fail(`model.positionBias.slopePerHead: expected ${m.qHeads} slopes, got ${m.positionBias.slopePerHead.length}`);
  const blobStart = 16 + headerBytes;
  const { arrays, ...rest } = header;
  const trace = { header: rest } as TokenTrace;
  for (const f of FIELDS) {
    const a = arrays![f.name];
    if (!a) {
      if (f.optional) continue;
      fail(`arrays.${f.name} is missing`);
    }
    const half = f.dtype === "f32" && (a!.dtype === "f16" || a!.dtype === "bf16") ? HALF[a!.dtype as "f16" | "bf16"] : undefined;
    if (a!.dtype !== f.dtype && !half) fail(`arrays.${f.name}.dtype: expected ${f.dtype === "f32" ? "f32, f16 or bf16" : f.dtype}, got ${JSON.stringify(a!.dtype)}`);
    const want = expectedLength(rest, f.name);
    if (f.name === "events" && a!.length % 4 !== 0) fail(`arrays.events: expected rows of 4 (layer, kvHead, time, needleId), got ${a!.length} values`);
    if (want !== undefined && a!.length !== want) fail(`arrays.${f.name}: expected ${want} elements for the header's shape, got ${a!.length}`);
    const ctor = half ? Uint16Array : CTOR[f.dtype];
    const start = blobStart + a!.offset;
    if (a!.offset % ALIGN !== 0 || start + a!.length * ctor.BYTES_PER_ELEMENT > data.length) fail(`arrays.${f.name}: offset ${a!.offset} is misaligned or past the end of the file`);
    // Copy into a fresh, aligned buffer: Node's file buffer may not be aligned for typed views.
    const bytes = new Uint8Array(a!.length * ctor.BYTES_PER_ELEMENT);
    bytes.set(data.subarray(start, start + bytes.length));
    const typed = half ? Float32Array.from(new Uint16Array(bytes.buffer), half.widen) : new ctor(bytes.buffer);
    if (typed instanceof Float32Array) {
      // A recording that overflowed its 16-bit range (or a corrupt file) would poison every softmax.
      const bad = typed.findIndex((x) => !Number.isFinite(x));
      if (bad >= 0) fail(`arrays.${f.name}: element ${bad} is ${typed[bad]}, not a finite number`);
    }
    (trace as unknown as Record<string, Typed>)[f.key] = typed as Typed;
  }
  if (rest.model.rope && rest.model.headDim % 2 !== 0) fail(`model.rope: RoPE pairs dimensions, so model.headDim must be even, got ${rest.model.headDim}`);
  return trace;
}
