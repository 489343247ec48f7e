import { KvsimInputError } from "../../errors.js";
import { BYTES, NO_SIZE, SCALARS, type SizeKind, type TraceBuilder } from "../trace-builder.js";
import { type ChunkParser } from "./chunk-parser.js";
import type { CsvLayout } from "./csv-layout.js";
import { CsvScanner } from "./csv-scanner.js";

interface Columns {
  width: number;
  page: number;
  bytes: number;
  scalars: number;
}

const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;
/** Bytes a plain record has none of: a quote, spaces to trim, anything past ASCII. */
const UNUSUAL = new Uint8Array(256);
for (const c of [0x22, 0x20, 0x09, 0x0c, 0x0b]) UNUSUAL[c] = 1;
UNUSUAL.fill(1, 0x80);

/**
 * A page-access trace in CSV, into a builder: a header row with a `page` column and optionally
 * `bytes` or `scalars` (other columns, such as a timestamp, are ignored; of a repeated name the
 * last counts), or the columns a `layout` gives (libCacheSim's CSV traces). Shared by the Node
 * reader and the in-memory one.
 */
export class PageCsvParser implements ChunkParser {
  private readonly scanner: CsvScanner;
  private readonly delimiter: number;
  /** UNUSUAL, less the delimiter (a tab is a blank to trim unless it separates fields). */
  private readonly unusual: Uint8Array;
  private columns: Columns | undefined;

  constructor(private readonly builder: TraceBuilder, private readonly file: string, private readonly layout?: CsvLayout) {
    this.delimiter = layout?.delimiter ?? COMMA;
    this.scanner = new CsvScanner(file, this.delimiter);
    this.unusual = UNUSUAL[this.delimiter] ? UNUSUAL.map((u, c) => (c === this.delimiter ? 0 : u)) : UNUSUAL;
  }

  parse(bytes: Uint8Array, start: number, end: number, final: boolean): number {
    let pos = start;
    const scanner = this.scanner;
    while (pos < end) {
      if (this.columns) {
        pos = this.plainRows(bytes, pos, end, final, this.columns);
        if (pos >= end) break;
      }
      const next = scanner.next(bytes, pos, end, final);
      if (next < 0) return pos;
      if (!scanner.isBlank(bytes)) {
        if (this.columns) this.row(bytes, this.columns);
        else {
          this.columns = this.header(bytes);
          // Without a header the first record is the first access.
          if (this.layout && !this.layout.header) this.row(bytes, this.columns);
        }
      }
      pos = next;
    }
    return pos;
  }

  /**
   * Reads records in place while they are plain: one line each, unquoted ASCII fields without
   * spaces around them, the right number of fields, a page id and digits for a size (when the
   * header has one size column). Returns where the first other record starts, for the scanner,
   * which reads it or says what is wrong with it; this loop is most of reading a large trace.
   */
  private plainRows(b: Uint8Array, pos: number, end: number, final: boolean, columns: Columns): number {
    if (columns.bytes >= 0 && columns.scalars >= 0) return pos;
    const sizeColumn = Math.max(columns.bytes, columns.scalars);
    const kind: SizeKind = columns.bytes >= 0 ? BYTES : SCALARS;
    const builder = this.builder;
    const delim = this.delimiter;
    const unusual = this.unusual;
    let line = this.scanner.line;
    while (pos < end) {
      let p = pos;
      let field = 0;
      let fieldStart = p;
      let idStart = 0;
      let idEnd = 0;
      let size = -1;
      let c = -1;
      for (;;) {
        c = p < end ? b[p]! : -1;
        if (c === delim || c === LF || c === CR || c < 0) {
          if (field === columns.page) {
            idStart = fieldStart;
            idEnd = p;
          } else if (field === sizeColumn && p > fieldStart) {
            if (p - fieldStart > 9) return this.done(pos, line);
            size = 0;
            for (let i = fieldStart; i < p; i++) {
              const d = b[i]! - 0x30;
              if (d < 0 || d > 9) return this.done(pos, line);
              size = size * 10 + d;
            }
          }
          field++;
          if (c !== delim) break;
          fieldStart = ++p;
          continue;
        }
        if (unusual[c]) return this.done(pos, line);
        p++;
      }
      if (c < 0 ? !final : c === CR && p + 1 >= end && !final) return this.done(pos, line);
      if (field !== columns.width || idStart === idEnd) return this.done(pos, line);
      builder.addBytes(b, idStart, idEnd, line, size < 0 ? NO_SIZE : kind, size);
      line++;
      pos = c < 0 ? p : c === CR && p + 1 < end && b[p + 1] === LF ? p + 2 : p + 1;
    }
    return this.done(pos, line);
  }

  private done(pos: number, line: number): number {
    this.scanner.line = line;
    return pos;
  }

  /** The columns, from kvsim's header or the layout (the first record then gives the width). */
  private header(bytes: Uint8Array): Columns {
    const layout = this.layout;
    if (layout) {
      const width = this.scanner.fieldCount;
      const widest = Math.max(layout.idColumn, layout.sizeColumn);
      if (widest >= width) throw new KvsimInputError(`${this.file}:${this.scanner.recordLine}: the layout reads column ${widest + 1}, but the ${layout.header ? "header" : "first record"} has ${width}`);
      return { width, page: layout.idColumn, bytes: layout.sizeColumn, scalars: -1 };
    }
    const names = Array.from({ length: this.scanner.fieldCount }, (_, k) => this.scanner.text(bytes, k));
    const page = names.lastIndexOf("page");
    if (page < 0) throw new KvsimInputError(`${this.file}:${this.scanner.recordLine}: the header needs a "page" column`);
    return { width: names.length, page, bytes: names.lastIndexOf("bytes"), scalars: names.lastIndexOf("scalars") };
  }

  private row(bytes: Uint8Array, columns: Columns): void {
    const s = this.scanner;
    const line = s.recordLine;
    if (s.fieldCount !== columns.width) {
      throw new KvsimInputError(`${this.file}:${line}: ${s.fieldCount} fields, but the header has ${columns.width} columns`);
    }
    let kind: SizeKind = NO_SIZE;
    let size = 0;
    if (columns.bytes >= 0 && !this.isEmpty(bytes, columns.bytes)) {
      kind = BYTES;
      size = s.number(bytes, columns.bytes);
    } else if (columns.scalars >= 0 && !this.isEmpty(bytes, columns.scalars)) {
      kind = SCALARS;
      size = s.number(bytes, columns.scalars);
    }
    const k = columns.page;
    if (this.isEmpty(bytes, k)) throw new KvsimInputError(`${this.file}:${line}: empty page id`);
    if (s.isAscii(k)) this.builder.addBytes(bytes, s.start(k), s.end(k), line, kind, size);
    else this.builder.add(s.text(bytes, k), line, kind, size);
  }

  private isEmpty(bytes: Uint8Array, k: number): boolean {
    return this.scanner.isAscii(k) ? this.scanner.start(k) === this.scanner.end(k) : this.scanner.text(bytes, k) === "";
  }
}
