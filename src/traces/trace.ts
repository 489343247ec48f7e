import { KvsimInputError } from "../errors.js";

/** A page-access trace: dense page indices per step plus what is known about each page's size. */
export interface Trace {
  name: string;
  numPages: number;
  /** Page index accessed at each step (0 ≤ index < numPages). */
  accesses: Int32Array;
  /** Scalars per page; bytes then follow the scenario's quantization. */
  pageScalars?: Int32Array;
  /** Bytes per page, used as given (no quantization formula); wins over pageScalars. */
  pageBytes?: Int32Array;
  /** Original page ids (e.g. "page-3"), index-aligned, for reports and event logs. */
  pageIds?: string[];
  /**
   * Each page's 64-bit object id when the source names pages by number (an oracleGeneral file's
   * ids), as two 32-bit words a page, low then high; read through `objectIdsOf`, for policies
   * that hash ids (tinylfu).
   */
  objectIds?: Int32Array;
}

/**
 * Each page's 64-bit object id: the trace's own (`objectIds`), else its page ids when every one is
 * a decimal below 2^64, else the page's index. Writing a trace as oracleGeneral uses the same ids,
 * so a policy hashing them sees the ids libCacheSim reads from the written file.
 */
export function objectIdsOf(trace: Trace): Int32Array {
  const named = namedObjectIds(trace);
  if (named) return named;
  const words = new Int32Array(2 * trace.numPages);
  for (let p = 0; p < trace.numPages; p++) words[2 * p] = p;
  return words;
}

/**
 * The object ids a trace names (its own, or its page ids when all are decimals below 2^64), two
 * words a page, or undefined when its pages' ids are their indices: what a copy of the trace
 * without its page ids (a sweep's shared trace, a binary trace) must carry for `objectIdsOf`.
 */
export function namedObjectIds(trace: Trace): Int32Array | undefined {
  if (trace.objectIds) return trace.objectIds;
  const names = trace.pageIds;
  if (!names?.every((id) => /^(0|[1-9][0-9]{0,19})$/.test(id) && BigInt(id) < 1n << 64n)) return undefined;
  const words = new Int32Array(2 * names.length);
  names.forEach((name, p) => {
    const id = BigInt(name);
    words[2 * p] = Number(id & 0xffffffffn) | 0;
    words[2 * p + 1] = Number(id >> 32n) | 0;
  });
  return words;
}

/** Scalars per page when a trace says nothing: kv-hierarchy-lab's 16-token toy page. */
export const DEFAULT_PAGE_SCALARS = 2048;

/** Checks that every access names a known page and sizes are positive. */
export function checkTrace(trace: Trace, source = trace.name): void {
  if (!Number.isInteger(trace.numPages) || trace.numPages < 1) {
    throw new KvsimInputError(`${source}: a trace needs at least one page (numPages = ${trace.numPages})`);
  }
  if (trace.numPages > 0x7fffffff) throw new KvsimInputError(`${source}: too many pages (${trace.numPages})`);
  const n = trace.numPages;
  const a = trace.accesses;
  for (let i = 0; i < a.length; i++) {
    const p = a[i]!;
    if (p < 0 || p >= n) {
      throw new KvsimInputError(`${source}: access ${i} names page ${p}, out of range 0..${n - 1}`);
    }
  }
  for (const [field, arr] of [["pageScalars", trace.pageScalars], ["pageBytes", trace.pageBytes]] as const) {
    if (!arr) continue;
    if (arr.length !== n) throw new KvsimInputError(`${source}: ${field} has ${arr.length} entries for ${n} pages`);
    const bad = arr.findIndex((v) => v < 1);
    if (bad >= 0) throw new KvsimInputError(`${source}: ${field}[${bad}] = ${arr[bad]} must be ≥ 1`);
  }
}

/**
 * The trace with every page one byte (libCacheSim's `--ignore-obj-size`): a tier's capacity in
 * bytes is then a number of pages, as cache-simulation papers give cache sizes in objects.
 */
export function withUnitPages(trace: Trace): Trace {
  const { pageScalars: _scalars, ...rest } = trace;
  return { ...rest, pageBytes: new Int32Array(trace.numPages).fill(1) };
}
