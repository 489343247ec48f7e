import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import { startChatServer, type ReceivedRequest, type ScriptedReply } from "./chat-server.js";

/**
 * Scripted chat servers and output directories for `kvsim eval` tests, closed and removed after
 * each test. Call once at the top of a test file.
 */
export function evalTestbed(prefix: string) {
  let closers: (() => Promise<void>)[] = [];
  let dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(closers.map((c) => c()));
    closers = [];
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    dirs = [];
  });
  return {
    async server(script: (request: ReceivedRequest, index: number) => ScriptedReply) {
      const s = await startChatServer(script);
      closers.push(s.close);
      return s;
    },
    outDir(): string {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(dir);
      return dir;
    },
  };
}
