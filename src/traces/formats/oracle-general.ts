import { KvsimInputError } from "../../errors.js";
import type { Trace } from "../trace.js";
import { U64IdTable } from "../u64-id-table.js";
import { grownInt32 } from "../../util/grow.js";

/**
 * libCacheSim's `oracleGeneral` binary trace: little-endian records of 24 bytes, `<IQIq>` =
 * (u32 clock time, u64 object id, u32 object size in bytes, i64 the virtual time of the object's
 * next request, -1 for none). No header. Virtual time counts requests from 1: record i's next
 * request at record j is written j + 1 (as in libCacheSim's CloudPhysics sample).
 *
 * Read: ids become dense pages in order of first appearance; a page's bytes are its first
 * request's size (libCacheSim sizes an object when it enters the cache; a size 0, which some
 * traces give metadata requests, counts as 1 byte, kvsim's smallest page). The next-access
 * field is checked, not trusted blindly: kvsim's belady computes next uses from the order, which
 * is what the field holds in every file libCacheSim writes, so a file whose field disagrees (one
 * sampled after its next accesses were computed) is refused rather than silently replayed
 * with other futures.
 */
export const ORACLE_GENERAL_RECORD = 24;
const WORDS = ORACLE_GENERAL_RECORD / 4;

export function decodeOracleGeneral(bytes: Uint8Array, file: string, name = file): Trace {
  if (bytes.length % ORACLE_GENERAL_RECORD !== 0) {
    throw new KvsimInputError(`${file}: ${bytes.length} bytes is not a whole number of ${ORACLE_GENERAL_RECORD}-byte oracleGeneral records (record ${Math.floor(bytes.length / ORACLE_GENERAL_RECORD)} is cut short)`);
  }
  const count = bytes.length / ORACLE_GENERAL_RECORD;
  if (count === 0) throw new KvsimInputError(`${file}: an oracleGeneral trace needs at least one record`);
  const words = littleEndianWords(bytes);
  // Ids below the number of records (at most 4 bytes a record) are indexed directly, the rest hashed.
  const ids = new U64IdTable(Math.min(2 ** 26, count));
  const accesses = new Int32Array(count);
  let sizes = new Int32Array(1024);
  for (let i = 0, at = 0; i < count; i++, at += WORDS) {
    const page = ids.pageOf(words[at + 1]!, words[at + 2]!);
    accesses[i] = page;
    if (page === ids.size - 1) {
      if (page === sizes.length) sizes = grownInt32(sizes, page + 1);
      // A u32 size above 2^31 - 1 reads negative: the largest page then.
      const size = words[at + 3]!;
      sizes[page] = size < 0 ? 0x7fffffff : Math.max(1, size);
    }
  }
  checkNextAccesses(words, accesses, ids.size, file);
  return {
    name, numPages: ids.size, accesses, pageBytes: sizes.slice(0, ids.size),
    pageIds: Array.from({ length: ids.size }, (_, p) => ids.idOf(p)),
  };
}

/**
 * The file as 32-bit words in the machine's order, read as little-endian: a typed array reads
 * them in one access each where a DataView call costs several (the records are 4-byte aligned).
 */
function littleEndianWords(bytes: Uint8Array): Int32Array {
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  const words = new Int32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 4);
  if (new Uint8Array(new Uint32Array([1]).buffer)[0] === 1) return words;
  const view = new DataView(aligned.buffer, aligned.byteOffset, aligned.byteLength);
  return Int32Array.from({ length: words.length }, (_, k) => view.getInt32(4 * k, true));
}

/** Refuses a file whose next-access field is not the virtual time of the object's next record (or -1 at its last). */
function checkNextAccesses(words: Int32Array, accesses: Int32Array, pages: number, file: string): void {
  const following = new Int32Array(pages).fill(-1);
  for (let i = accesses.length - 1, at = i * WORDS; i >= 0; i--, at -= WORDS) {
    const page = accesses[i]!;
    const next = following[page]!;
    // The i64's words: -1 is both words all ones; a virtual time below 2^31 has a zero high word.
    const low = words[at + 4]!;
    const high = words[at + 5]!;
    if (next < 0 ? low !== -1 || high !== -1 : low !== next + 1 || high !== 0) {
      const given = (BigInt(high) << 32n) | BigInt(low >>> 0);
      throw new KvsimInputError(`${file}: record ${i}: next access ${given}, but the object's next request is ${next < 0 ? "none (-1)" : `record ${next} (virtual time ${next + 1})`}: kvsim computes next uses from the order, so it does not read files whose next accesses were computed on another trace`);
    }
    following[page] = i;
  }
}

/**
 * The trace as oracleGeneral records: clock time = the access's step, the page's id when it is a
 * decimal below 2^64 (a trace read from oracleGeneral keeps its ids), else the page's index,
 * its bytes (1 when the trace gives none: sizes in scalars become bytes only under a scenario's
 * quantization), and each access's next use.
 */
export function encodeOracleGeneral(trace: Trace): Uint8Array {
  const n = trace.accesses.length;
  const out = new Uint8Array(n * ORACLE_GENERAL_RECORD);
  const view = new DataView(out.buffer);
  const ids = objectIds(trace);
  const following = new Float64Array(trace.numPages).fill(-1);
  for (let i = n - 1; i >= 0; i--) {
    const page = trace.accesses[i]!;
    const at = i * ORACLE_GENERAL_RECORD;
    view.setUint32(at, i, true);
    view.setBigUint64(at + 4, ids[page]!, true);
    view.setUint32(at + 12, trace.pageBytes?.[page] ?? 1, true);
    const next = following[page]!;
    view.setBigInt64(at + 16, BigInt(next < 0 ? -1 : next + 1), true);
    following[page] = i;
  }
  return out;
}

function objectIds(trace: Trace): bigint[] {
  const numeric = trace.pageIds?.every((id) => /^(0|[1-9][0-9]{0,19})$/.test(id) && BigInt(id) < 1n << 64n);
  return Array.from({ length: trace.numPages }, (_, p) => (numeric ? BigInt(trace.pageIds![p]!) : BigInt(p)));
}
