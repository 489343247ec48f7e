import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { readProgress } from "../../src/cli/progress.js";

/** A stream that says it is a terminal (or not) and keeps what is written to it. */
function terminal(isTTY: boolean): NodeJS.WriteStream & { text(): string } {
  const stream = new PassThrough() as unknown as NodeJS.WriteStream & { text(): string };
  const chunks: string[] = [];
  stream.on("data", (c: Buffer) => chunks.push(c.toString()));
  Object.assign(stream, { isTTY, columns: 120, cursorTo: () => true, clearLine: () => true, moveCursor: () => true, text: () => chunks.join("") });
  return stream;
}

describe("trace read progress", () => {
  it("shows MiB read of a large file on a terminal", async () => {
    const out = terminal(true);
    const progress = readProgress("reading big.csv", out)!;
    progress.onProgress(64 * 2 ** 20, 256 * 2 ** 20);
    progress.stop();
    await new Promise((r) => setImmediate(r));
    expect(out.text()).toMatch(/reading big\.csv .* \d+\/256 MiB/);
  });

  it("stays quiet for a small file and off a terminal", async () => {
    const small = terminal(true);
    const progress = readProgress("reading small.csv", small)!;
    progress.onProgress(2 ** 20, 2 ** 20);
    progress.stop();
    await new Promise((r) => setImmediate(r));
    expect(small.text()).toBe("");
    expect(readProgress("reading piped.csv", terminal(false))).toBeUndefined();
  });
});
