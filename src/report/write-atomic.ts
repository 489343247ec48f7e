import { lstatSync, mkdirSync, readlinkSync, realpathSync, renameSync, statSync, writeFileSync, type Stats } from "node:fs";
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
  if (path === "-") {
    process.stdout.write(data);
    return;
  }
  let target = path;
  try {
    target = realpathSync(path);
    if (!statSync(target).isFile()) {
      writeFileSync(target, data);
      return;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    // A link to a file not made yet: the file it names is the one to make.
    if (lstatIfAny(path)?.isSymbolicLink()) target = resolve(dirname(path), readlinkSync(path));
  }
  mkdirSync(dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, target);
}
