import { describe, expect, it } from "vitest";
import { RequestLog } from "../../src/timed/request-log.js";
import { IterationLog } from "../../src/timed/iteration-log.js";
import { lazily } from "../../src/util/lazy-field.js";
import type { RequestResult } from "../../src/timed/results.js";
import { TimedIterationRow } from "../../src/wasm/timed.js";

const request = (id: number, disk: boolean): RequestResult => ({
  requestId: id, arrival: id * 0.1, promptTokens: 100 + id, outputTokens: id + 1, firstScheduled: id * 0.2, firstToken: id * 0.3,
  completion: id + 0.5, ttft: 0.25, tpot: id === 0 ? NaN : 0.01 * id, e2e: 1.5, preemptions: id % 3, prefixHitTokens: 16 * id,
  hostHitTokens: 8 * id, matchedPrefixBlocks: id % 5, ...(disk ? { diskHitTokens: 4 * id } : {}),
});

describe("RequestLog", () => {
  it("gives back every request by id, fields in the objects' order, a hole where none completed", () => {
    for (const disk of [false, true]) {
      const log = new RequestLog(5, disk);
      const added = [3, 0, 4, 1].map((id) => request(id, disk));
      added.forEach((r) => log.add(r));
      const results = log.results();
      expect(results.length).toBe(5);
      expect(2 in results).toBe(false);
      for (const r of added) {
        expect(results[r.requestId]).toEqual(r);
        expect(Object.keys(results[r.requestId]!)).toEqual(Object.keys(r));
      }
      expect(JSON.stringify(results)).toBe(JSON.stringify(Object.assign(new Array(5), Object.fromEntries(added.map((r) => [r.requestId, r])))));
    }
  });

  it("keeps a lazy field's place among the keys it replaces", () => {
    const sim = lazily({ requests: undefined as unknown, summary: 1 }, "requests", () => [7]);
    expect(Object.keys(sim)).toEqual(["requests", "summary"]);
    expect(JSON.stringify(sim)).toBe('{"requests":[7],"summary":1}');
    const assigned = lazily({ requests: undefined as unknown, summary: 1 }, "requests", () => [7]);
    assigned.requests = [8];
    expect(assigned).toEqual({ requests: [8], summary: 1 });
  });
});

describe("IterationLog.addRows", () => {
  it("copies the engine's rows as add copies the same iterations", () => {
    const count = 5000;
    const rows = new Float64Array(count * TimedIterationRow.COUNT).map((_, k) => k * 0.5 + 1);
    const fromRows = new IterationLog();
    fromRows.addRows(rows.subarray(0, 3000 * TimedIterationRow.COUNT), 3000);
    fromRows.addRows(rows.subarray(3000 * TimedIterationRow.COUNT), count - 3000);
    const byObject = new IterationLog();
    for (let k = 0; k < count; k++) {
      const o = k * TimedIterationRow.COUNT;
      byObject.add({
        start: rows[o]!, duration: rows[o + 1]!, requests: rows[o + 2]!, prefillTokens: rows[o + 3]!, decodeTokens: rows[o + 4]!, kvBlocksUsed: rows[o + 5]!,
        hostBlocksCached: rows[o + 6]!, bytesToHost: rows[o + 7]!, bytesFromHost: rows[o + 8]!,
      });
    }
    expect(fromRows.results()).toEqual(byObject.results());
    expect(fromRows.results()[count - 1]!.bytesFromHost).toBe(rows[(count - 1) * TimedIterationRow.COUNT + 8]);
  });
});
