import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

/**
 * A temporary directory, removed after the test file, holding what serving sweep specs written
 * there name: a synthetic workload spec `chat.json` and Vidur's five-request trace `five.csv`.
 */
export function servingSweepDir(prefix: string, chat: object): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "chat.json"), JSON.stringify(chat));
  copyFileSync("tests/fixtures/timed/vidur-5.csv", join(dir, "five.csv"));
  return dir;
}
