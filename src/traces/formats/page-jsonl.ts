import { BYTES, NO_SIZE, SCALARS, type SizeKind, type TraceBuilder } from "../trace-builder.js";
import { utf8, type ChunkParser } from "./chunk-parser.js";
import { addJsonlLine } from "./jsonl-line.js";

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const PAGE = [...'"page"'].map((c) => c.charCodeAt(0));
const BYTES_KEY = [...'"bytes"'].map((c) => c.charCodeAt(0));
const SCALARS_KEY = [...'"scalars"'].map((c) => c.charCodeAt(0));

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
/** Bytes that may follow a JSON number's digits and make it something other than an integer. */
const continuesNumber = (c: number): boolean => c === 0x2e || c === 0x65 || c === 0x45;

/**
 * A JSONL page-access trace, into a builder: one object per line, `{"page": id}` with an optional
 * `"bytes"` or `"scalars"`. Lines end at \n or \r\n; blank lines are skipped. The shapes kvsim and
 * most tools write (`{"page": 7}`, `{"page": "p1", "bytes": 4096}`, keys in that order, an ASCII
 * id without escapes) are read in place without making a string or an object; every other line
 * goes through JSON.parse. Shared by the Node reader and the in-memory one.
 */
export class PageJsonlParser implements ChunkParser {
  private line = 0;

  constructor(private readonly builder: TraceBuilder, private readonly file: string) {}

  parse(bytes: Uint8Array, start: number, end: number, final: boolean): number {
    let pos = start;
    while (pos < end) {
      let stop = bytes.indexOf(LF, pos);
      if (stop < 0 || stop >= end) {
        if (!final) return pos;
        stop = end;
      }
      const next = stop + 1;
      if (stop > pos && bytes[stop - 1] === CR) stop--;
      const line = ++this.line;
      if (!this.simple(bytes, pos, stop, line)) addJsonlLine(this.builder, utf8.decode(bytes.subarray(pos, stop)), line, this.file);
      pos = next;
    }
    return Math.min(pos, end);
  }

  /**
   * Reads a blank line or a line of the common shapes from b[start, end); false for any other line
   * (it may still be valid JSON). Bytes past `end` are the next line's, or stale: never read.
   */
  private simple(b: Uint8Array, start: number, end: number, line: number): boolean {
    let p = spaces(b, start, end);
    if (p === end) return true;
    if (b[p] !== 0x7b) return false;
    p = key(b, spaces(b, p + 1, end), end, PAGE);
    if (p < 0 || at(b, p = spaces(b, p, end), end) !== 0x3a) return false;
    p = spaces(b, p + 1, end);
    let idStart: number;
    let idEnd: number;
    if (at(b, p, end) === QUOTE) {
      idStart = ++p;
      // Printable ASCII but a quote or backslash: the id's bytes are its characters.
      for (let c = at(b, p, end); c >= 0x20 && c < 0x7f && c !== QUOTE && c !== 0x5c; c = at(b, ++p, end));
      if (at(b, p, end) !== QUOTE || p === idStart) return false;
      idEnd = p++;
    } else {
      idStart = p;
      while (isDigit(at(b, p, end))) p++;
      // More than 15 digits, a leading zero or a fraction: JSON.parse and String() decide its id.
      if (p === idStart || p - idStart > 15 || (b[idStart] === 0x30 && p - idStart > 1) || continuesNumber(at(b, p, end))) return false;
      idEnd = p;
    }
    p = spaces(b, p, end);
    let kind: SizeKind = NO_SIZE;
    let size = 0;
    if (at(b, p, end) === 0x2c) {
      p = spaces(b, p + 1, end);
      let q = key(b, p, end, BYTES_KEY);
      kind = BYTES;
      if (q < 0) {
        q = key(b, p, end, SCALARS_KEY);
        kind = SCALARS;
      }
      if (q < 0 || at(b, p = spaces(b, q, end), end) !== 0x3a) return false;
      p = spaces(b, p + 1, end);
      const digits = p;
      for (let c = at(b, p, end); isDigit(c); c = at(b, ++p, end)) size = size * 10 + c - 0x30;
      if (p === digits || p - digits > 9 || (b[digits] === 0x30 && p - digits > 1) || continuesNumber(at(b, p, end))) return false;
      p = spaces(b, p, end);
    }
    if (at(b, p, end) !== 0x7d || spaces(b, p + 1, end) !== end) return false;
    this.builder.addBytes(b, idStart, idEnd, line, kind, size);
    return true;
  }
}

/** The byte at p, or -1 past the line's end. */
const at = (b: Uint8Array, p: number, end: number): number => (p < end ? b[p]! : -1);

function spaces(b: Uint8Array, p: number, end: number): number {
  while (isSpace(at(b, p, end))) p++;
  return p;
}

/** Past `name` at p, or -1 if it is not there. */
function key(b: Uint8Array, p: number, end: number, name: number[]): number {
  if (p + name.length > end) return -1;
  for (let k = 0; k < name.length; k++) if (b[p + k] !== name[k]) return -1;
  return p + name.length;
}
