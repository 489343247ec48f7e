import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readTrace, writeTrace } from "../../src/traces/load.js";
import { generateWorkload } from "../../src/workloads/registry.js";
import { runCli } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "kvsim-traces-"));
const path = (name: string): string => join(dir, name);
const write = (name: string, text: string): string => {
  writeFileSync(path(name), text);
  return path(name);
};

describe("trace formats", () => {
  const original = generateWorkload("rag_burst");

  it.each(["jsonl", "csv", "kvt"])("%s round-trips accesses and page sizes", async (fmt) => {
    const file = path(`rag.${fmt}`);
    writeTrace(original, file);
    const back = await readTrace(file);
    // Text formats renumber pages by first appearance; compare through the ids.
    const ids = back.pageIds ?? Array.from({ length: back.numPages }, (_, i) => `page-${i}`);
    expect(Array.from(back.accesses, (p) => ids[p])).toEqual(Array.from(original.accesses, (p) => original.pageIds![p]));
    const scalarsById = new Map(ids.map((id, i) => [id, back.pageScalars![i]]));
    for (const p of original.accesses) expect(scalarsById.get(original.pageIds![p]!)).toBe(original.pageScalars![p]);
  });

  it("the binary format is 4 bytes per access plus a header and the page sizes (and 8 bytes a page for ids named by number)", () => {
    const file = path("size.kvt");
    writeTrace(original, file);
    expect(readFileSync(file).length).toBe(24 + 4 * original.numPages + 4 * original.accesses.length);
  });

  it("reads explicit bytes from CSV with extra columns", async () => {
    const t = await readTrace(write("b.csv", "ts,page,bytes\n1,a,100\n2,b,50\n3,a,100\n"));
    expect(Array.from(t.accesses)).toEqual([0, 1, 0]);
    expect(Array.from(t.pageBytes!)).toEqual([100, 50]);
    expect(t.pageIds).toEqual(["a", "b"]);
  });

  it("reads ids only from JSONL (default page size)", async () => {
    const t = await readTrace(write("ids.jsonl", '{"page": 7}\n\n{"page": "x"}\n{"page": 7}\n'));
    expect(Array.from(t.accesses)).toEqual([0, 1, 0]);
    expect(t.pageScalars).toBeUndefined();
  });

  const errors: [string, string, string, RegExp][] = [
    ["bad JSON line", "a.jsonl", '{"page": 1}\n{"page": 2\n', /a\.jsonl:2: not a JSON object/],
    ["missing page", "b.jsonl", '{"page": 1}\n{"pg": 2}\n', /b\.jsonl:2: missing "page"/],
    ["changing size", "c.jsonl", '{"page": 1, "bytes": 10}\n{"page": 1, "bytes": 11}\n', /c\.jsonl:2: page "1" has bytes 11 but line 1 gave 10/],
    ["bad size", "d.csv", "page,bytes\na,10\nb,-4\n", /d\.csv:3: bytes must be a positive integer, got -4/],
    ["no page column", "e.csv", "id,bytes\na,10\n", /e\.csv:1: the header needs a "page" column/],
    ["ragged CSV", "f.csv", "page,bytes\na,10\nb,1,2\n", /f\.csv:3:/],
    ["size on some pages only", "g.jsonl", '{"page": 1, "scalars": 10}\n{"page": 2}\n', /page "2" never gets scalars/],
    ["not binary", "h.kvt", "hello", /not a kvsim binary trace/],
    ["empty", "i.jsonl", "\n", /has no accesses/],
    // Found by tests/traces/fuzz.test.ts: an object as a size was a TypeError.
    ["object as a size", "j.jsonl", '{"page": 1, "bytes": {"toString": 0}}\n', /j\.jsonl:1: bytes must be a positive integer, got \{"toString":0\}/],
  ];
  it.each(errors)("%s is an input error naming file and line", async (_name, file, text, message) => {
    await expect(readTrace(write(file, text))).rejects.toThrow(message);
  });

  it("a truncated binary trace is rejected", async () => {
    const file = path("t.kvt");
    writeTrace(original, file);
    writeFileSync(file, readFileSync(file).subarray(0, 100));
    await expect(readTrace(file)).rejects.toThrow(/truncated or inconsistent/);
  });

  it("a binary page index out of range is rejected", async () => {
    const file = path("r.kvt");
    writeTrace({ name: "r", numPages: 2, accesses: Int32Array.from([0, 1, 5]) }, file);
    await expect(readTrace(file)).rejects.toThrow(/access 2 names page 5, out of range 0\.\.1/);
  });
});

describe("kvsim trace CLI", () => {
  it("generates, converts and replays a trace with the same results as the workload", async () => {
    const kvt = path("cli.kvt");
    const csv = path("cli.csv");
    expect((await runCli(["trace", "generate", "--workload", "long_tail_mix", "--out", kvt])).code).toBe(0);
    expect((await runCli(["trace", "convert", kvt, csv])).code).toBe(0);
    const fromWorkload = JSON.parse((await runCli(["run", "--scenario", "small_fp16_no_prefetch", "--workload", "long_tail_mix",
      "--policy", "lru", "--json"])).stdout);
    const fromCsv = JSON.parse((await runCli(["run", "--scenario", "small_fp16_no_prefetch", "--trace", csv, "--policy", "lru",
      "--json"])).stdout);
    expect(fromCsv.metrics).toEqual(fromWorkload.metrics);
  });

  it("a trace line that does not parse exits 2 naming file and line", async () => {
    const bad = write("bad.csv", "page\na\n\"b\n");
    const { code, stderr } = await runCli(["run", "--scenario", "small_fp16_prefetch", "--trace", bad, "--policy", "lru"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/bad\.csv:\d+:/);
  });
});
