import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Every test's temporary files go under one directory of this run, removed when the run ends: the
 * system temp dir is left as the suite found it, whatever a test, a CLI it spawns or a browser
 * leaves behind. Workers and child processes inherit TMPDIR, which os.tmpdir() reads on each call.
 */
export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), "kvsim-test-run-"));
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = root;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(root, { recursive: true, force: true });
  };
}
