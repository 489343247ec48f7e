import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import type { ChunkParser } from "../../src/traces/formats/chunk-parser.js";
import { addJsonlLine } from "../../src/traces/formats/jsonl-line.js";
import { pageTraceParser } from "../../src/traces/formats/page-trace-parser.js";
import { readChunks } from "../../src/traces/formats/read-chunks.js";
import { BYTES, NO_SIZE, SCALARS, TraceBuilder } from "../../src/traces/trace-builder.js";

const dir = mkdtempSync(join(tmpdir(), "kvsim-chunks-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const FILE = "t";

type Outcome = { ok: true; accesses: number[]; ids: string[]; bytes?: number[]; scalars?: number[] } | { ok: false; message: string };

/** What a parse came to: the trace, or the input error's message (any other error fails the test). */
async function outcome(fill: (builder: TraceBuilder) => void | Promise<void>): Promise<Outcome> {
  try {
    const builder = new TraceBuilder(FILE);
    await fill(builder);
    const t = builder.build(FILE);
    return { ok: true, accesses: [...t.accesses], ids: t.pageIds!, bytes: t.pageBytes && [...t.pageBytes], scalars: t.pageScalars && [...t.pageScalars] };
  } catch (err) {
    if ((err as Error).name !== "KvsimInputError") throw err;
    return { ok: false, message: (err as Error).message };
  }
}

/** The text parsed as one chunk, as a browser reads a file. */
const whole = (text: string, parserFor: (b: TraceBuilder) => ChunkParser): Promise<Outcome> =>
  outcome((b) => {
    const bytes = new TextEncoder().encode(text);
    parserFor(b).parse(bytes, 0, bytes.length, true);
  });

let n = 0;
/** The text as a file, read through a buffer of `chunkBytes`, so that records are cut at every place. */
async function chunked(text: string, parserFor: (b: TraceBuilder) => ChunkParser, chunkBytes: number): Promise<Outcome> {
  const path = join(dir, `${n++}.txt`);
  writeFileSync(path, text);
  try {
    return await outcome((b) => readChunks(path, parserFor(b), undefined, chunkBytes));
  } finally {
    rmSync(path);
  }
}

const csvParser = (b: TraceBuilder): ChunkParser => pageTraceParser("csv", b, FILE);
const jsonlParser = (b: TraceBuilder): ChunkParser => pageTraceParser("jsonl", b, FILE);

/** CSV-ish text: pieces that make plain rows, quoted fields, blanks and line ends of every kind. */
const csvText = fc.array(fc.constantFrom("a", "7", "12", "0", "é", ",", ",", '"', '""', " ", "\t", "\n", "\n", "\r\n", "\r", "\u00a0", "4096"), { maxLength: 60 })
  .map((parts) => parts.join(""));
const csvFile = fc.tuple(fc.constantFrom("page", "page,bytes", "ts,page,scalars", '"page", bytes', "\ufeffpage,scalars"), csvText)
  .map(([header, body]) => `${header}\n${body}`);

/** JSONL lines of the common shapes, spaced and cut in every way, with lines only JSON.parse reads. */
const jsonlLine = fc.oneof(
  fc.tuple(fc.constantFrom("", " "), fc.oneof(fc.nat({ max: 30 }).map(String), fc.constantFrom('"p1"', '"7"', '"a b"', "007", "1.0", "1e1", "-1", "12345678901234567")),
    fc.constantFrom("", ',"bytes":64', ', "scalars" : 2048', ',"bytes":0', ',"bytes":1.5', ',"bytes":"64"', ',"x":1'), fc.constantFrom("", " ", "\r"))
    .map(([lead, id, size, tail]) => `${lead}{"page":${id}${size}}${tail}`),
  fc.constantFrom("", "  ", "{", "null", "[]", '{"page": "\\u00e9"}', '{"page": 7, "page": 8}', '{"pg": 1}'),
);
const jsonlFile = fc.array(jsonlLine, { maxLength: 12 }).map((lines) => lines.join("\n"));

describe("chunked page-trace parsers", () => {
  it("read the same in chunks of any size as in one piece (CSV)", async () => {
    await fc.assert(fc.asyncProperty(csvFile, fc.integer({ min: 1, max: 9 }), async (text, size) => {
      expect(await chunked(text, csvParser, size)).toEqual(await whole(text, csvParser));
    }), { numRuns: 300, seed: 7 });
  });

  it("read the same in chunks of any size as in one piece (JSONL)", async () => {
    await fc.assert(fc.asyncProperty(jsonlFile, fc.integer({ min: 1, max: 9 }), async (text, size) => {
      expect(await chunked(text, jsonlParser, size)).toEqual(await whole(text, jsonlParser));
    }), { numRuns: 300, seed: 7 });
  });

  it("JSONL read in place gives what JSON.parse of every line gives", async () => {
    await fc.assert(fc.asyncProperty(jsonlFile, async (text) => {
      const reference = await outcome((b) => text.split("\n").forEach((line, i) => addJsonlLine(b, line.replace(/\r$/, ""), i + 1, FILE)));
      expect(await whole(text, jsonlParser)).toEqual(reference);
    }), { numRuns: 500, seed: 7 });
  });

  it("CSV agrees with csv-parse (the reader it replaced) on what is a trace and, where it is one, on the trace", async () => {
    // Lone \r line ends are left out (csv-parse takes a \r for part of a field after a \n line end),
    // and the last line ends: csv-parse refuses a space after a closing quote at the end of the file.
    const noLoneCr = csvFile.filter((t) => !/\r(?!\n)/.test(t)).map((t) => `${t}\n`);
    await fc.assert(fc.asyncProperty(noLoneCr, async (text) => {
      const reference = await outcome((b) => {
        let rows: { record: Record<string, string>; info: { lines: number } }[];
        try {
          rows = parse(text, { columns: true, info: true, skip_empty_lines: true, trim: true, bom: true });
        } catch (err) {
          throw Object.assign(new Error((err as Error).message), { name: "KvsimInputError" });
        }
        for (const { record, info } of rows) {
          if (record.page === undefined) throw Object.assign(new Error("no page column"), { name: "KvsimInputError" });
          if (record.page === "") throw Object.assign(new Error("empty page id"), { name: "KvsimInputError" });
          const [kind, size] = record.bytes ? [BYTES, Number(record.bytes)] as const : record.scalars ? [SCALARS, Number(record.scalars)] as const : [NO_SIZE, 0] as const;
          b.add(record.page, info.lines, kind, size);
        }
      });
      // csv-parse 7 refuses spaces after a closing quote unless some came before the opening one.
      if (!reference.ok && reference.message.includes("non trimable byte after quote")) return;
      const ours = await whole(text, csvParser);
      expect(ours.ok, `${JSON.stringify(text)}: ${JSON.stringify(ours)} vs ${JSON.stringify(reference)}`).toBe(reference.ok);
      if (ours.ok && reference.ok) expect(ours).toEqual(reference);
    }), { numRuns: 1000, seed: 7 });
  });

  it("a quoted field may hold commas, doubled quotes and line ends; errors name the line", async () => {
    expect(await whole('page,bytes\n"a,""b""\nc",5\n "d" ,6\n', csvParser)).toEqual({ ok: true, accesses: [0, 1], ids: ['a,"b"\nc', "d"], bytes: [5, 6], scalars: undefined });
    expect(await whole('page\na\n"b\n', csvParser)).toEqual({ ok: false, message: "t:3: field 1 opens a quote that is never closed" });
    expect(await whole('page\na"b\n', csvParser)).toMatchObject({ ok: false, message: expect.stringMatching(/^t:2: a quote inside unquoted field 1/) });
    expect(await whole('page\n"a"b\n', csvParser)).toMatchObject({ ok: false, message: 't:2: field 1 has "b" after its closing quote' });
    expect(await whole("page,bytes\na,1\nb\n", csvParser)).toEqual({ ok: false, message: "t:3: 1 fields, but the header has 2 columns" });
  });
});
