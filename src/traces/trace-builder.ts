import { KvsimInputError } from "../errors.js";
import { grownInt32 } from "../util/grow.js";
import { PageIdTable } from "./page-id-table.js";
import type { Trace } from "./trace.js";

/** What a line says of its page's size: nothing, or bytes or scalars (numbers, so a row allocates nothing). */
export const NO_SIZE = 0;
export const BYTES = 1;
export const SCALARS = 2;
export type SizeKind = typeof NO_SIZE | typeof BYTES | typeof SCALARS;
const KIND_NAME = ["", "bytes", "scalars"] as const;

/**
 * Accumulates page accesses from a line-oriented file: maps page ids to dense indices in order of
 * first appearance, grows the access and size arrays geometrically, and checks that a page's size
 * never changes. Errors name the file and line.
 */
export class TraceBuilder {
  private readonly pages = new PageIdTable();
  private sizes = new Int32Array(1024);
  private sizeLine = new Int32Array(1024);
  private accesses = new Int32Array(1024);
  private length = 0;
  private sizeKind: SizeKind = NO_SIZE;
  private rowsPerByte = 0;
  private totalBytes = 0;

  constructor(private readonly file: string) {}

  /** An access to the page whose id is the ASCII (or canonical UTF-8) bytes[start, end). */
  addBytes(bytes: Uint8Array, start: number, end: number, line: number, kind: SizeKind, size: number): void {
    const before = this.pages.size;
    this.addPage(this.pages.pageOfBytes(bytes, start, end), before, line, kind, size);
  }

  /** An access to the page with id `pageId`. */
  add(pageId: string, line: number, kind: SizeKind = NO_SIZE, size = 0): void {
    const before = this.pages.size;
    this.addPage(this.pages.pageOfString(pageId), before, line, kind, size);
  }

  /**
   * Tells how much of the file is read (`read` of `total` bytes), so the access array grows to the
   * rows the whole file will have at the rate so far (2% spare), not doubling a dozen times (each
   * copy, and the garbage it leaves, was most of reading a large trace's memory).
   */
  expectRows(read: number, total: number): void {
    if (read > 0) this.rowsPerByte = (this.length / read) * 1.02;
    this.totalBytes = total;
    if (this.accesses.length === 1024 && this.rowsPerByte > 0) this.accesses = grownInt32(this.accesses.subarray(0, this.length), this.estimate());
  }

  private estimate(): number {
    return Math.ceil(this.rowsPerByte * this.totalBytes);
  }

  private addPage(page: number, before: number, line: number, kind: SizeKind, size: number): void {
    if (page === before) this.newPage(page, line);
    if (kind !== NO_SIZE) this.setSize(page, line, kind, size);
    if (this.length === this.accesses.length) this.accesses = grownInt32(this.accesses, this.estimate(), this.rowsPerByte > 0 ? 1.25 : 2);
    this.accesses[this.length++] = page;
  }

  private newPage(page: number, line: number): void {
    if (page >= 0x7fffffff) throw new KvsimInputError(`${this.file}:${line}: too many distinct pages`);
    if (page === this.sizes.length) {
      this.sizes = grownInt32(this.sizes, page + 1);
      this.sizeLine = grownInt32(this.sizeLine, page + 1);
    }
  }

  private setSize(page: number, line: number, kind: SizeKind, value: number): void {
    const name = KIND_NAME[kind];
    if (!Number.isInteger(value) || value < 1 || value > 0x7fffffff) {
      throw new KvsimInputError(`${this.file}:${line}: ${name} must be a positive integer, got ${value}`);
    }
    if (this.sizeKind !== NO_SIZE && this.sizeKind !== kind) {
      throw new KvsimInputError(`${this.file}:${line}: mixes "bytes" and "scalars"; use one of them`);
    }
    this.sizeKind = kind;
    const known = this.sizes[page]!;
    if (known === 0) {
      this.sizes[page] = value;
      this.sizeLine[page] = line;
    } else if (known !== value) {
      throw new KvsimInputError(
        `${this.file}:${line}: page "${this.pages.ids[page]}" has ${name} ${value} but line ${this.sizeLine[page]} gave ${known}`);
    }
  }

  build(name: string): Trace {
    const ids = this.pages.ids;
    if (ids.length === 0) throw new KvsimInputError(`${this.file}: the trace has no accesses`);
    // The access array is the trace's largest part: handed over as is when at most 1/16 of it is
    // spare (as after expectRows), else copied once.
    const spare = this.accesses.length - this.length;
    const accesses = spare * 16 <= this.accesses.length ? this.accesses.subarray(0, this.length) : this.accesses.slice(0, this.length);
    this.accesses = new Int32Array(0);
    const trace: Trace = { name, numPages: ids.length, accesses, pageIds: ids };
    if (this.sizeKind !== NO_SIZE) {
      const sizes = this.sizes.slice(0, ids.length);
      const missing = sizes.indexOf(0);
      if (missing >= 0) {
        throw new KvsimInputError(`${this.file}: page "${ids[missing]}" never gets ${KIND_NAME[this.sizeKind]}, but other pages do`);
      }
      trace[this.sizeKind === BYTES ? "pageBytes" : "pageScalars"] = sizes;
    }
    return trace;
  }
}
