import { closeSync, lstatSync, mkdirSync, openSync, readlinkSync, realpathSync, renameSync, rmSync, statSync, writeFileSync, type Stats } from "node:fs";
import { dirname, resolve } from "node:path";

function lstatIfAny(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Writes a file via a temporary sibling and a rename, so readers never see half a file. `-` is
 * standard output; a symbolic link is followed (the link stays, its target is written); a device or
 * a pipe (/dev/stdout, a FIFO) is written through, never replaced by a file.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  writeFileAtomicChunks(path, [data]);
}

/**
 * `writeFileAtomic` of the concatenated chunks, written as they come: a large file need not be
 * made whole in memory first. A failure removes the temporary file.
 */
export function writeFileAtomicChunks(path: string, chunks: Iterable<string | Uint8Array>): void {
  if (path === "-") {
    // On Linux, writes to standard output (a file, pipe or terminal) are synchronous: nothing queues.
    for (const chunk of chunks) process.stdout.write(chunk);
    return;
  }
  let target = path;
  try {
    target = realpathSync(path);
    if (!statSync(target).isFile()) {
      writeAll(target, chunks);
      return;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    // A link to a file not made yet: the file it names is the one to make.
    if (lstatIfAny(path)?.isSymbolicLink()) target = resolve(dirname(path), readlinkSync(path));
  }
  mkdirSync(dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.tmp`;
  try {
    writeAll(tmp, chunks);
    renameSync(tmp, target);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

function writeAll(file: string, chunks: Iterable<string | Uint8Array>): void {
  const fd = openSync(file, "w");
  try {
    // writeFileSync on a descriptor writes all of a chunk (a pipe may take it in parts) and moves on.
    for (const chunk of chunks) writeFileSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
}
