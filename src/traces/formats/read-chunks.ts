import { open } from "node:fs/promises";
import { KvsimInputError } from "../../errors.js";
import { fileErrorText } from "../../json-file.js";
import type { ChunkParser } from "./chunk-parser.js";

/** Read size: large enough that the per-read cost vanishes, small enough to stay in cache-sized pieces. */
const CHUNK_BYTES = 1 << 20;

/** Called as a file is read: bytes read so far and the file's size. */
export type ReadProgress = (bytesRead: number, totalBytes: number) => void;

/**
 * Feeds a file to a parser through one reused buffer: memory is the buffer (grown only for a record
 * longer than it), not the file's text. A record cut by a chunk's end is moved to the buffer's
 * start and completed by the next read.
 */
export async function readChunks(file: string, parser: ChunkParser, onProgress?: ReadProgress, chunkBytes = CHUNK_BYTES): Promise<void> {
  let handle;
  let total;
  try {
    handle = await open(file, "r");
    total = (await handle.stat()).size;
  } catch (err) {
    await handle?.close();
    throw new KvsimInputError(`cannot read ${file}: ${fileErrorText(err)}`);
  }
  try {
    let buffer = Buffer.allocUnsafe(chunkBytes);
    let carried = 0;
    let read = 0;
    for (;;) {
      if (carried === buffer.length) {
        const larger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(larger, 0, 0, carried);
        buffer = larger;
      }
      const { bytesRead } = await readSome(handle, buffer, carried, file);
      const end = carried + bytesRead;
      const used = parser.parse(buffer, 0, end, bytesRead === 0);
      if (bytesRead === 0) return;
      buffer.copy(buffer, 0, used, end);
      carried = end - used;
      read += bytesRead;
      onProgress?.(read, total);
    }
  } finally {
    await handle.close();
  }
}

async function readSome(handle: import("node:fs/promises").FileHandle, buffer: Buffer, at: number, file: string): Promise<{ bytesRead: number }> {
  try {
    return await handle.read(buffer, at, buffer.length - at, null);
  } catch (err) {
    throw new KvsimInputError(`cannot read ${file}: ${fileErrorText(err)}`);
  }
}
