import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { itemsProgress } from "../../src/cli/progress.js";
import { evaluateTokenTrace } from "../../src/tokens/evaluate.js";
import { evaluateOnline } from "../../src/tokens/online.js";
import { generateTokenTrace } from "../../src/tokens/generate.js";

/** A stream that says it is a terminal and keeps what is written to it. */
function terminal(): NodeJS.WriteStream & { text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({ write: (chunk, _enc, done) => (chunks.push(String(chunk)), done()) }) as unknown as NodeJS.WriteStream & { text: () => string };
  Object.assign(stream, { isTTY: true, columns: 120, cursorTo: () => true, clearLine: () => true, moveCursor: () => true, text: () => chunks.join("") });
  return stream;
}

describe("progress of long single commands", () => {
  it("itemsProgress draws only on a terminal, as a percentage of the whole and the item under way", () => {
    expect(itemsProgress("x", 2, "trace", { isTTY: false } as NodeJS.WriteStream)).toBeUndefined();
    const tty = terminal();
    const bar = itemsProgress("tokens evaluate", 2, "trace", tty)!;
    bar.update(1, 0.5);
    bar.stop();
    expect(tty.text()).toMatch(/tokens evaluate .* 75% \| trace 2\/2/);
  });

  it("token evaluation reports each (layer, KV head) as it finishes, offline and online", () => {
    const trace = generateTokenTrace({ seed: 3, contextTokens: 384, futureTokens: 8, kvHeads: 2, layers: 2, headDim: 16, obsWindow: 16 });
    for (const run of [
      (onHead: (d: number, t: number) => void) => evaluateTokenTrace(trace, { policies: ["knorm"], errorQueries: 0, onHead }),
      (onHead: (d: number, t: number) => void) => evaluateOnline(trace, { policies: ["knorm"], budget: 0.5, onHead }),
    ]) {
      const calls: [number, number][] = [];
      run((d, t) => calls.push([d, t]));
      expect(calls).toEqual([[1, 4], [2, 4], [3, 4], [4, 4]]);
    }
  });
});
