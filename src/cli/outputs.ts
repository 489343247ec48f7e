import { accessSync, constants, statSync } from "node:fs";
import { dirname } from "node:path";
import { KvsimInputError } from "../errors.js";
import { fileErrorText } from "../json-file.js";

/** Runs a check of an output path, turning a file system refusal into an input error naming the flag. */
function checked(flag: string, path: string, check: () => void): void {
  try {
    check();
  } catch (err) {
    if (err instanceof KvsimInputError) throw err;
    throw new KvsimInputError(`${flag} ${path}: cannot write there (${fileErrorText(err)})`);
  }
}

/** The deepest part of `path` that exists (`path` itself when it does). */
function existingAncestor(path: string): string {
  let p = path;
  for (;;) {
    try {
      statSync(p);
      return p;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT" || dirname(p) === p) throw err;
      p = dirname(p);
    }
  }
}

/**
 * Checks the output directory can be written before any work — it is a writable directory, or the
 * deepest part of its path that exists is — so a bad `--out` fails first and nothing is computed
 * for nothing. Nothing is created (a run that stops on another input error leaves nothing behind).
 */
export function checkOutputDir(dir: string, flag: string): void {
  checked(flag, dir, () => {
    const existing = existingAncestor(dir);
    if (!statSync(existing).isDirectory()) {
      throw new KvsimInputError(`${flag} ${dir}: ${existing === dir ? "not a directory" : `${existing} is a file, not a directory`}`);
    }
    accessSync(existing, constants.W_OK);
  });
}

/**
 * Checks an output file can be written before any work: not a directory, and writable or in a
 * directory that can be written (or made). `-` (standard output) and a device or pipe (written through, never replaced) pass.
 */
export function checkOutputFile(path: string, flag: string): void {
  if (path === "-") return;
  checked(flag, path, () => {
    let existing;
    try {
      existing = statSync(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    if (existing?.isDirectory()) throw new KvsimInputError(`${flag} ${path}: a directory, where a file was expected`);
    if (existing && !existing.isFile()) return;
    if (existing) accessSync(path, constants.W_OK);
    else checkOutputDir(dirname(path), flag);
  });
}
