import { KvsimInputError } from "../../errors.js";
import { objectIdsOf, type Trace } from "../trace.js";
import { lazily } from "../../util/lazy-field.js";
import { decimalIds, U64IdTable } from "../u64-id-table.js";
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

/** The number of records in `bytes` bytes of oracleGeneral, refusing a cut record or an empty file. */
export function oracleGeneralRecords(bytes: number, file: string): number {
  if (bytes % ORACLE_GENERAL_RECORD !== 0) {
    throw new KvsimInputError(`${file}: ${bytes} bytes is not a whole number of ${ORACLE_GENERAL_RECORD}-byte oracleGeneral records (record ${Math.floor(bytes / ORACLE_GENERAL_RECORD)} is cut short)`);
  }
  if (bytes === 0) throw new KvsimInputError(`${file}: an oracleGeneral trace needs at least one record`);
  return bytes / ORACLE_GENERAL_RECORD;
}

/** Decodes a whole oracleGeneral file held in memory (the browser's uploads, tests). */
export function decodeOracleGeneral(bytes: Uint8Array, file: string, name = file): Trace {
  const count = oracleGeneralRecords(bytes.length, file);
  const words = littleEndianWords(bytes);
  const decoder = new OracleGeneralDecoder(count);
  decoder.push(words, count);
  return decoder.finish(file, name, (record) => nextAccessIn(words, record * WORDS));
}

/**
 * Decodes records as they come, so that a file is read through one small buffer (a file of 10M
 * records is 229 MiB; reading it whole cost more in fresh pages than its decoding).
 */
export class OracleGeneralDecoder {
  // Ids below the number of records (at most 4 bytes a record) are indexed directly, the rest hashed.
  private readonly ids: U64IdTable;
  private readonly accesses: Int32Array;
  /**
   * Each record's next access as `finish` checks it: its virtual time, 0 for none (-1), and -1
   * for anything else (never right). One word a record, so the file need not be kept for the check.
   */
  private readonly nextAccesses: Int32Array;
  private sizes = new Int32Array(1024);
  private decoded = 0;

  constructor(private readonly count: number) {
    this.ids = new U64IdTable(Math.min(2 ** 26, count));
    this.accesses = new Int32Array(count);
    this.nextAccesses = new Int32Array(count);
  }

  /** Decodes the next `records` records, whose words `words` holds in the machine's order. */
  push(words: Int32Array, records: number): void {
    if (this.decoded + records > this.count) throw new RangeError(`OracleGeneralDecoder: ${this.decoded + records} records pushed, ${this.count} expected`);
    const { ids, accesses, nextAccesses } = this;
    let sizes = this.sizes;
    for (let i = this.decoded, at = 0, end = this.decoded + records; i < end; i++, at += WORDS) {
      const pages = ids.size;
      const page = ids.pageOf(words[at + 1]!, words[at + 2]!);
      accesses[i] = page;
      if (page === pages) {
        if (page === sizes.length) sizes = grownInt32(sizes, page + 1);
        // A u32 size above 2^31 - 1 reads negative: the largest page then.
        const size = words[at + 3]!;
        sizes[page] = size < 0 ? 0x7fffffff : Math.max(1, size);
      }
      // The i64's words: -1 is both words all ones; a virtual time below 2^31 has a zero high word.
      const low = words[at + 4]!;
      const high = words[at + 5]!;
      nextAccesses[i] = high === 0 && low > 0 ? low : low === -1 && high === -1 ? 0 : -1;
    }
    this.sizes = sizes;
    this.decoded += records;
  }

  /**
   * The trace, once every record is in. The next-access field is checked, not trusted blindly
   * (see the file's head); a file whose field disagrees is refused, naming the last record at
   * fault, whose field `nextAccessOf` reads back for the message.
   */
  finish(file: string, name: string, nextAccessOf: (record: number) => bigint): Trace {
    if (this.decoded !== this.count) throw new RangeError(`OracleGeneralDecoder: ${this.decoded} records pushed, ${this.count} expected`);
    const { ids, accesses, nextAccesses } = this;
    // Each page's next request's virtual time, walking back from the end (0: none).
    const following = new Int32Array(ids.size);
    for (let i = accesses.length - 1; i >= 0; i--) {
      const page = accesses[i]!;
      const next = following[page]!;
      if (nextAccesses[i] !== next) {
        throw new KvsimInputError(`${file}: record ${i}: next access ${nextAccessOf(i)}, but the object's next request is ${next === 0 ? "none (-1)" : `record ${next - 1} (virtual time ${next})`}: kvsim computes next uses from the order, so it does not read files whose next accesses were computed on another trace`);
      }
      following[page] = i + 1;
    }
    const objectIds = ids.objectIds();
    const trace: Trace = { name, numPages: ids.size, accesses, pageBytes: this.sizes.slice(0, ids.size), objectIds };
    // The ids' strings are made from their words when first read: 780K of them cost 0.09-0.19 s, which a replay or a curve never needs.
    return lazily(trace, "pageIds", () => decimalIds(objectIds));
  }
}

/** The next-access field of the record whose words start at `at`, a signed 64-bit integer. */
export function nextAccessIn(words: Int32Array, at: number): bigint {
  return (BigInt(words[at + 5]!) << 32n) | BigInt(words[at + 4]! >>> 0);
}

/**
 * The bytes as 32-bit words in the machine's order, read as little-endian: a typed array reads
 * them in one access each where a DataView call costs several (the records are 4-byte aligned).
 */
export function littleEndianWords(bytes: Uint8Array): Int32Array {
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  const words = new Int32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 4);
  if (new Uint8Array(new Uint32Array([1]).buffer)[0] === 1) return words;
  const view = new DataView(aligned.buffer, aligned.byteOffset, aligned.byteLength);
  return Int32Array.from({ length: words.length }, (_, k) => view.getInt32(4 * k, true));
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
  const ids = objectIdsOf(trace);
  const following = new Float64Array(trace.numPages).fill(-1);
  for (let i = n - 1; i >= 0; i--) {
    const page = trace.accesses[i]!;
    const at = i * ORACLE_GENERAL_RECORD;
    view.setUint32(at, i, true);
    view.setUint32(at + 4, ids[2 * page]!, true);
    view.setUint32(at + 8, ids[2 * page + 1]!, true);
    view.setUint32(at + 12, trace.pageBytes?.[page] ?? 1, true);
    const next = following[page]!;
    view.setBigInt64(at + 16, BigInt(next < 0 ? -1 : next + 1), true);
    following[page] = i;
  }
  return out;
}
