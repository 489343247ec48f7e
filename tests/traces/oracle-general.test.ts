import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { decodeOracleGeneral, encodeOracleGeneral } from "../../src/traces/formats/oracle-general.js";
import { readOracleGeneralFile } from "../../src/traces/formats/oracle-general-file.js";
import { readTrace, writeTrace } from "../../src/traces/load.js";
import { objectIdsOf, withUnitPages } from "../../src/traces/trace.js";
import { shareTrace } from "../../src/sweep/shared-trace.js";
import { generateWorkload } from "../../src/workloads/registry.js";
import { runCli } from "../helpers/cli.js";

const SAMPLE = "tests/fixtures/libcachesim/cloudPhysicsIO.oracleGeneral.bin";
const dir = mkdtempSync(join(tmpdir(), "kvsim-oracle-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Records as [time, id, size, next], from oracleGeneral bytes. */
function records(bytes: Uint8Array): [number, bigint, number, bigint][] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: bytes.length / 24 }, (_, i) => [v.getUint32(i * 24, true), v.getBigUint64(i * 24 + 4, true), v.getUint32(i * 24 + 12, true), v.getBigInt64(i * 24 + 16, true)]);
}

function record(time: number, id: bigint, size: number, next: bigint): Uint8Array {
  const out = new Uint8Array(24);
  const v = new DataView(out.buffer);
  v.setUint32(0, time, true);
  v.setBigUint64(4, id, true);
  v.setUint32(12, size, true);
  v.setBigInt64(16, next, true);
  return out;
}

const joined = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));

describe("libCacheSim's oracleGeneral traces", () => {
  const sample = readFileSync(SAMPLE);

  it("maps sparse 64-bit ids to pages by first appearance, sizes from the first request", () => {
    const big = (1n << 63n) + 5n;
    const t = decodeOracleGeneral(joined(record(7, big, 4096, 3n), record(7, 12n, 0, -1n), record(8, big, 512, -1n)), "hand.bin");
    expect(Array.from(t.accesses)).toEqual([0, 1, 0]);
    expect(t.pageIds).toEqual([big.toString(), "12"]);
    expect(Array.from(t.objectIds!)).toEqual([5, -(2 ** 31), 12, 0]);
    // A size 0 counts as one byte; a page keeps its first request's size.
    expect(Array.from(t.pageBytes!)).toEqual([4096, 1]);
  });

  it("keeps the ids for policies that hash them, through a kvsim binary trace and a sweep's shared copy", async () => {
    const t = decodeOracleGeneral(sample, SAMPLE);
    const file = join(dir, "sample.kvt");
    writeTrace(t, file);
    const kvt = await readTrace(file);
    expect(kvt.pageIds).toBeUndefined();
    expect(objectIdsOf(kvt)).toEqual(t.objectIds);
    expect(objectIdsOf(shareTrace(t))).toEqual(t.objectIds);
    // A trace whose pages are named by numbers has those as ids; any other, its page indices.
    expect(objectIdsOf({ name: "n", numPages: 2, accesses: Int32Array.of(0, 1), pageIds: ["17", "4"] })).toEqual(Int32Array.of(17, 0, 4, 0));
    expect(objectIdsOf({ name: "n", numPages: 2, accesses: Int32Array.of(0, 1), pageIds: ["17", "a"] })).toEqual(Int32Array.of(0, 0, 1, 0));
  });

  it("writes back the sample's ids, sizes and next accesses record for record (times become steps)", () => {
    const back = records(encodeOracleGeneral(decodeOracleGeneral(sample, SAMPLE)));
    const original = records(sample);
    expect(back.map(([, id, size, next]) => [id, size, next])).toEqual(original.map(([, id, size, next]) => [id, size, next]));
    expect(back.map(([time]) => time)).toEqual(original.map((_, i) => i));
  });

  it("round-trips a kvsim workload through a file, its pages as ids", async () => {
    const original = withUnitPages(generateWorkload("rag_burst"));
    const file = join(dir, "rag.oracleGeneral.bin");
    writeTrace(original, file);
    const back = await readTrace(file);
    // Pages are renumbered by first appearance; a page's id is its index in the workload.
    expect(Array.from(back.accesses, (p) => Number(back.pageIds![p]))).toEqual(Array.from(original.accesses));
    expect(back.numPages).toBe(new Set(original.accesses).size);
    expect(back.pageBytes!.every((b) => b === 1)).toBe(true);
  });

  it("refuses a file cut short and one whose next accesses are not its own, naming the record", () => {
    expect(() => decodeOracleGeneral(sample.subarray(0, 24 * 10 + 5), "cut.bin")).toThrow(/cut\.bin: 245 bytes is not a whole number of 24-byte oracleGeneral records \(record 10 is cut short\)/);
    expect(() => decodeOracleGeneral(new Uint8Array(0), "empty.bin")).toThrow(/empty\.bin: an oracleGeneral trace needs at least one record/);
    // Record 0's object comes back at record 2, virtual time 3: a file saying 2 counted from 0.
    const wrong = joined(record(1, 5n, 1, 2n), record(2, 6n, 1, -1n), record(3, 5n, 1, -1n));
    expect(() => decodeOracleGeneral(wrong, "wrong.bin")).toThrow(/wrong\.bin: record 0: next access 2, but the object's next request is record 2 \(virtual time 3\)/);
  });

  it("refuses every kind of wrong next access, naming the record at fault, for small ids and sparse 64-bit ids alike", async () => {
    // Objects A B A C B A: records 0..5, each next access the virtual time (record + 1) of its object's next record.
    for (const [a, b, c] of [[5n, 6n, 7n], [2n ** 63n + 5n, 2n ** 40n, 2n ** 64n - 1n]]) {
      const ids = [a, b, a, c, b, a];
      const right = [3n, 5n, 6n, -1n, -1n, -1n];
      const file = (next: bigint[]) => joined(...ids.map((id, i) => record(i + 1, id, 1, next[i]!)));
      expect(decodeOracleGeneral(file(right), "ok.bin").accesses).toEqual(new Int32Array([0, 1, 0, 2, 1, 0]));
      const cases: [number, bigint, RegExp][] = [
        [0, 6n, /record 0: next access 6, but the object's next request is record 2 \(virtual time 3\)/], // skips an occurrence
        [0, -1n, /record 0: next access -1, but the object's next request is record 2/], // none, yet it comes back
        [2, 5n, /record 2: next access 5, but the object's next request is record 5/], // another object's record
        [1, 5n + (1n << 32n), /record 1: next access 4294967301, but the object's next request is record 4/], // a high word
        [5, 2n, /record 5: next access 2, but the object's next request is none \(-1\)/], // the last one points back
        [3, 0n, /record 3: next access 0, but the object's next request is none \(-1\)/],
      ];
      for (const [at, value, message] of cases) {
        const next = [...right];
        next[at] = value;
        expect(() => decodeOracleGeneral(file(next), "bad.bin"), `record ${at} = ${value}`).toThrow(message);
        // Read from a file, the record at fault is read back for the message.
        const path = join(dir, "bad.oracleGeneral.bin");
        writeFileSync(path, file(next));
        await expect(readTrace(path), `file: record ${at} = ${value}`).rejects.toThrow(message);
      }
    }
  });

  it("keeps a page's first request's size when the next record requests it again", () => {
    const t = decodeOracleGeneral(joined(record(1, 9n, 10, 2n), record(2, 9n, 20, -1n), record(3, 4n, 5, -1n)), "again.bin");
    expect(Array.from(t.pageBytes!)).toEqual([10, 5]);
  });

  it("reads a file of many reads' worth as it decodes bytes held whole, progress to the last byte, and names a fault in a later read", async () => {
    const original = withUnitPages(generateWorkload("zipf", { pages: 50_000, length: 300_000, seed: 3 }));
    const bytes = encodeOracleGeneral(original);
    const path = join(dir, "many-reads.oracleGeneral.bin");
    writeFileSync(path, bytes);
    const progress: number[] = [];
    const read = readOracleGeneralFile(path, "many-reads", (done) => progress.push(done));
    const whole = decodeOracleGeneral(bytes, path, "many-reads");
    expect(read.accesses).toEqual(whole.accesses);
    expect(read.pageBytes).toEqual(whole.pageBytes);
    expect(read.pageIds).toEqual(whole.pageIds);
    expect(progress.length).toBeGreaterThan(2);
    expect(progress.at(-1)).toBe(bytes.length);
    // Record 250,000 (in the second read) says its object never comes back.
    const at = 250_000 * 24 + 16;
    const wrong = bytes.slice();
    const view = new DataView(wrong.buffer);
    const stated = view.getBigInt64(at, true);
    view.setBigInt64(at, stated === -1n ? 7n : -1n, true);
    writeFileSync(path, wrong);
    await expect(readTrace(path)).rejects.toThrow(new RegExp(`record 250000: next access ${stated === -1n ? 7 : -1}, but`));
  });

  it("makes the ids' strings on first use, and they read, serialize and assign like any field", () => {
    const t = decodeOracleGeneral(joined(record(1, 12n, 1, -1n), record(2, 1n << 60n, 1, -1n)), "ids.bin");
    expect(JSON.parse(JSON.stringify(t)).pageIds).toEqual(["12", (1n << 60n).toString()]);
    expect({ ...t }.pageIds).toBe(t.pageIds);
    t.pageIds = ["a", "b"];
    expect(t.pageIds).toEqual(["a", "b"]);
  });

  it("runs from the CLI: trace info, convert, and run with --ignore-obj-size giving libCacheSim's LRU misses", async () => {
    const info = await runCli(["trace", "info", SAMPLE, "--json"]);
    expect(info.code).toBe(0);
    expect(JSON.parse(info.stdout)).toMatchObject({ pages: 48_974, accesses: 113_872 });
    const scenario = join(dir, "one.json");
    writeFileSync(scenario, JSON.stringify({ name: "one", quantization: "fp16", tiers: [{ name: "cache", capacityBytes: 490, readLatencyMs: 0, writeLatencyMs: 0, bandwidthBytesPerMs: 1 }] }));
    const run = await runCli(["run", "--scenario", scenario, "--trace", SAMPLE, "--ignore-obj-size", "--policy", "lru", "--json"]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).metrics.misses).toBe(95_415);
    const cut = join(dir, "cut.oracleGeneral.bin");
    writeFileSync(cut, sample.subarray(0, 100));
    const bad = await runCli(["run", "--scenario", scenario, "--trace", cut, "--policy", "lru"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/cut\.oracleGeneral\.bin: 100 bytes is not a whole number of 24-byte oracleGeneral records/);
  });
});
