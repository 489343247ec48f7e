import { KvsimInputError } from "../../errors.js";
import { utf8 } from "./chunk-parser.js";

const COMMA = 0x2c;
const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/** Space, tab, form feed, vertical tab: trimmed around fields (line ends end records). */
const isBlank = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0c || c === 0x0b;

/** A field's kind, as flags: 0 is plain ASCII, already trimmed, usable as bytes. */
const QUOTED = 1;
/** Doubled quotes inside: the text is made by undoubling them. */
const ESCAPED = 2;
/** Bytes past ASCII: the text is decoded (and, unquoted, trimmed of Unicode spaces). */
const WIDE = 4;

/**
 * RFC 4180 records from bytes, one at a time, as field boundaries rather than strings: a reader
 * that wants a few columns of a large file makes strings only for those (csv-parse makes every
 * field of every record a string, which was most of reading a page trace). Fields are trimmed of
 * whitespace around them, also around quotes; blank lines are records of one empty field. Lines
 * end at \n, \r\n or a lone \r, inside quotes too, for the line numbers errors give.
 */
export class CsvScanner {
  /** Fields of the last record: bytes[starts[k], ends[k]), kinds[k]. */
  private starts = new Int32Array(16);
  private ends = new Int32Array(16);
  private kinds = new Uint8Array(16);
  fieldCount = 0;
  /** The line the last record ends on (a quoted field may span lines). */
  recordLine = 0;
  /** The line the next record starts on (a reader that reads plain records itself moves it on). */
  line = 1;

  /** `delimiter`: the byte between fields (a comma unless a layout says otherwise; never trimmed as a blank). */
  constructor(private readonly file: string, private readonly delimiter = COMMA) {}

  /**
   * Scans the record at bytes[pos, end): returns where the next one starts, or -1 when the record
   * runs past `end` and more bytes may follow (unless `final`). Errors name the file and line.
   */
  next(bytes: Uint8Array, pos: number, end: number, final: boolean): number {
    const delim = this.delimiter;
    const blank = (c: number): boolean => c !== delim && isBlank(c);
    let line = this.line;
    let n = 0;
    let p = pos;
    for (;;) {
      while (p < end && blank(bytes[p]!)) p++;
      let start = p;
      let stop: number;
      let kind = 0;
      if (p < end && bytes[p] === QUOTE) {
        const openLine = line;
        kind = QUOTED;
        start = ++p;
        for (;;) {
          if (p >= end) {
            if (!final) return -1;
            throw this.error(openLine, `field ${n + 1} opens a quote that is never closed`);
          }
          const c = bytes[p]!;
          if (c === QUOTE) {
            if (p + 1 >= end && !final) return -1;
            if (bytes[p + 1] !== QUOTE) break;
            kind |= ESCAPED;
            p += 2;
            continue;
          }
          if (c === LF) line++;
          else if (c === CR) {
            if (p + 1 >= end && !final) return -1;
            if (bytes[p + 1] !== LF) line++;
          } else if (c >= 0x80) kind |= WIDE;
          p++;
        }
        stop = p++;
        while (p < end && blank(bytes[p]!)) p++;
        if (p < end && bytes[p] !== delim && bytes[p] !== LF && bytes[p] !== CR) {
          const after = this.fieldEnd(bytes, p, end);
          if (after === end && !final) return -1;
          const text = utf8.decode(bytes.subarray(p, after));
          if (text.trim() !== "") throw this.error(line, `field ${n + 1} has ${JSON.stringify(text)} after its closing quote`);
          p = after;
        }
      } else {
        for (; p < end; p++) {
          const c = bytes[p]!;
          if (c === delim || c === LF || c === CR) break;
          if (c === QUOTE) throw this.error(line, `a quote inside unquoted field ${n + 1}: quote the whole field and double the quote ("a""b")`);
          if (c >= 0x80) kind = WIDE;
        }
        if (p >= end && !final) return -1;
        stop = p;
        if (kind === 0) while (stop > start && blank(bytes[stop - 1]!)) stop--;
      }
      this.setField(n++, start, stop, kind);
      if (p < end && bytes[p] === delim) {
        p++;
        continue;
      }
      this.fieldCount = n;
      this.recordLine = line;
      if (p < end && bytes[p] === CR) {
        if (p + 1 >= end && !final) return -1;
        p += bytes[p + 1] === LF ? 2 : 1;
      } else if (p < end) p++;
      this.line = line + 1;
      return p;
    }
  }

  /** Whether the last record is a blank line: one unquoted field with nothing but spaces. */
  isBlank(bytes: Uint8Array): boolean {
    return this.fieldCount === 1 && !(this.kinds[0]! & QUOTED) && this.text(bytes, 0) === "";
  }

  /** Whether field k's bytes are its text (ASCII, no quotes to undouble): a reader may use them as they are. */
  isAscii(k: number): boolean {
    return (this.kinds[k]! & (ESCAPED | WIDE)) === 0;
  }

  start(k: number): number {
    return this.starts[k]!;
  }

  end(k: number): number {
    return this.ends[k]!;
  }

  /** Field k as a string: decoded, quotes undoubled, trimmed unless quoted. */
  text(bytes: Uint8Array, k: number): string {
    const kind = this.kinds[k]!;
    let text = utf8.decode(bytes.subarray(this.starts[k]!, this.ends[k]!));
    if (kind & ESCAPED) text = text.replaceAll('""', '"');
    return kind & QUOTED ? text : text.trim();
  }

  /**
   * Field k as a number: plain digits read in place, anything else as `Number` reads the text
   * ("1e3", "0x10"); NaN for no number.
   */
  number(bytes: Uint8Array, k: number): number {
    const start = this.starts[k]!;
    const end = this.ends[k]!;
    if (this.kinds[k] === 0 && end > start && end - start <= 9) {
      let n = 0;
      let i = start;
      for (; i < end; i++) {
        const d = bytes[i]! - 0x30;
        if (d < 0 || d > 9) break;
        n = n * 10 + d;
      }
      if (i === end) return n;
    }
    return Number(this.text(bytes, k));
  }

  private fieldEnd(bytes: Uint8Array, p: number, end: number): number {
    while (p < end && bytes[p] !== this.delimiter && bytes[p] !== LF && bytes[p] !== CR) p++;
    return p;
  }

  private setField(k: number, start: number, end: number, kind: number): void {
    if (k === this.starts.length) {
      const starts = new Int32Array(k * 2);
      const ends = new Int32Array(k * 2);
      const kinds = new Uint8Array(k * 2);
      starts.set(this.starts);
      ends.set(this.ends);
      kinds.set(this.kinds);
      [this.starts, this.ends, this.kinds] = [starts, ends, kinds];
    }
    this.starts[k] = start;
    this.ends[k] = end;
    this.kinds[k] = kind;
  }

  private error(line: number, what: string): KvsimInputError {
    return new KvsimInputError(`${this.file}:${line}: ${what}`);
  }
}
