/**
 * A parser of a text format fed the file's bytes a chunk at a time (Node reads a large file into
 * one reused buffer; a browser passes the whole file at once), so that no copy of the text is
 * ever made as a string.
 */
export interface ChunkParser {
  /**
   * Parses the complete records in bytes[start, end) and returns where the first incomplete one
   * starts (`end` when none is); the caller passes those bytes again, followed by more. With
   * `final`, the bytes are the end of the file and all of them are parsed.
   */
  parse(bytes: Uint8Array, start: number, end: number, final: boolean): number;
}

/** A parser that is not shown the UTF-8 byte-order mark some editors write at a file's start. */
export class SkippingBom implements ChunkParser {
  private started = false;

  constructor(private readonly inner: ChunkParser) {}

  parse(bytes: Uint8Array, start: number, end: number, final: boolean): number {
    if (!this.started) {
      if (end - start < 3 && !final) return start;
      if (end - start >= 3 && bytes[start] === 0xef && bytes[start + 1] === 0xbb && bytes[start + 2] === 0xbf) start += 3;
      this.started = true;
    }
    return this.inner.parse(bytes, start, end, final);
  }
}

/** Decodes UTF-8 keeping a U+FEFF inside a field (the default decoder drops one at the start of each call). */
export const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });
