import { KvsimInputError } from "../../errors.js";
import { namedObjectIds, type Trace } from "../trace.js";

/**
 * kvsim binary trace (`.kvt`), little-endian:
 *   bytes 0-7   magic "KVSIMTR1"
 *   u32         flags: bit 0 = page sizes present, bit 1 = sizes are bytes (else scalars),
 *               bit 2 = object ids present
 *   u32         number of pages N
 *   f64         number of accesses M (an integer; f64 so it may exceed 2^32)
 *   i32 × N     page sizes (when flag bit 0)
 *   i32 × M     page index per access
 *   u64 × N     each page's object id (when flag bit 2: the ids a trace names, `namedObjectIds`)
 * 4 bytes per access, read with one copy, no parsing: the format for traces of 10^8+ accesses.
 */
const MAGIC = "KVSIMTR1";
const HEADER = 24;

export function encodeBinaryTrace(trace: Trace): Uint8Array {
  const sizes = trace.pageBytes ?? trace.pageScalars;
  const n = trace.numPages;
  const m = trace.accesses.length;
  const ids = namedObjectIds(trace);
  const out = new Uint8Array(HEADER + 4 * (sizes ? n : 0) + 4 * m + (ids ? 8 * n : 0));
  const view = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) out[i] = MAGIC.charCodeAt(i);
  view.setUint32(8, (sizes ? 1 : 0) | (trace.pageBytes ? 2 : 0) | (ids ? 4 : 0), true);
  view.setUint32(12, n, true);
  view.setFloat64(16, m, true);
  let at = HEADER;
  if (sizes) {
    for (let i = 0; i < n; i++, at += 4) view.setInt32(at, sizes[i]!, true);
  }
  for (let i = 0; i < m; i++, at += 4) view.setInt32(at, trace.accesses[i]!, true);
  if (ids) for (let i = 0; i < 2 * n; i++, at += 4) view.setInt32(at, ids[i]!, true);
  return out;
}

export function decodeBinaryTrace(bytes: Uint8Array, file: string, name = file): Trace {
  if (bytes.length < HEADER || String.fromCharCode(...bytes.subarray(0, 8)) !== MAGIC) {
    throw new KvsimInputError(`${file}: not a kvsim binary trace (missing "${MAGIC}" header)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const flags = view.getUint32(8, true);
  const n = view.getUint32(12, true);
  const m = view.getFloat64(16, true);
  const sizeWords = flags & 1 ? n : 0;
  const idBytes = flags & 4 ? 8 * n : 0;
  if (!Number.isSafeInteger(m) || m < 0 || bytes.length !== HEADER + 4 * (sizeWords + m) + idBytes) {
    throw new KvsimInputError(`${file}: truncated or inconsistent binary trace (${n} pages, ${m} accesses, ${bytes.length} bytes)`);
  }
  // Copy into aligned, owned arrays (the file buffer may be unaligned and shared).
  const words = new Int32Array(sizeWords + m);
  const little = new Uint8Array(words.buffer);
  little.set(bytes.subarray(HEADER, bytes.length - idBytes));
  const trace: Trace = { name, numPages: n, accesses: words.subarray(sizeWords) };
  if (flags & 1) trace[flags & 2 ? "pageBytes" : "pageScalars"] = words.slice(0, sizeWords);
  if (idBytes > 0) {
    const ids = new DataView(bytes.buffer, bytes.byteOffset + bytes.length - idBytes, idBytes);
    trace.objectIds = Int32Array.from({ length: 2 * n }, (_, k) => ids.getInt32(4 * k, true));
  }
  return trace;
}
