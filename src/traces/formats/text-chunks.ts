/** About this many characters per chunk: few writes, and a chunk is small beside the trace. */
const CHUNK_CHARS = 1 << 20;

/**
 * The lines `line(i)` for i in [0, count), joined into chunks of about a megabyte, so a trace's
 * text is never one string (a 10M-row trace's was close to a gigabyte of memory).
 */
export function* textChunks(header: string, count: number, line: (i: number) => string): Generator<string> {
  let out = header;
  for (let i = 0; i < count; i++) {
    out += line(i);
    if (out.length >= CHUNK_CHARS) {
      yield out;
      out = "";
    }
  }
  if (out.length) yield out;
}
