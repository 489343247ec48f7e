import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { KvsimInputError } from "../../src/errors.js";
import { readRequestsCsv } from "../../src/timed/requests.js";
import {
  detectServingTraceFormat, parseAzureRequests, parseMooncakeRequests, parseRequestsCsv, readServingTrace, type ServingTraceFormat,
} from "../../src/timed/trace-formats.js";

const DIR = "tests/fixtures/timed";
const MOONCAKE = `${DIR}/mooncake-5.jsonl`;
const AZURE = `${DIR}/azure-5.csv`;
const VIDUR = `${DIR}/vidur-5.csv`;

/** The input error `run` throws (failing the test if it throws none or another kind). */
function inputError(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(KvsimInputError);
    return (err as Error).message;
  }
  throw new Error("expected an input error");
}

describe("mooncake traces", () => {
  it("read arrival (ms → s), lengths and 512-token prefix blocks in file order", () => {
    expect(readServingTrace(MOONCAKE, "mooncake")).toEqual([
      { arrival: 0, prompt: 1200, output: 20, content: { blockTokens: 512, tokens: 1200, ids: [0, 1, 2] } },
      { arrival: 0.25, prompt: 1500, output: 7, content: { blockTokens: 512, tokens: 1500, ids: [0, 1, 3] } },
      { arrival: 0.25, prompt: 300, output: 1, content: { blockTokens: 512, tokens: 300, ids: [4] } },
      { arrival: 1.7315, prompt: 2048, output: 310, content: { blockTokens: 512, tokens: 2048, ids: [0, 1, 3, 5] } },
      { arrival: 1.5, prompt: 512, output: 64, content: { blockTokens: 512, tokens: 512, ids: [6] } },
    ]);
  });

  it("skip blank lines but count them in line numbers", () => {
    const good = '{"timestamp": 0, "input_length": 10, "output_length": 1, "hash_ids": [1]}';
    const text = [good, "", good, "  ", good, good, '{"timestamp": 9, "input_length": -3, "output_length": 1, "hash_ids": []}'].join("\n");
    expect(inputError(() => parseMooncakeRequests(text, "trace.jsonl"))).toBe("trace.jsonl:7: input_length must be a positive integer, got -3");
    expect(parseMooncakeRequests(`${good}\r\n\r\n${good}\r\n`, "t.jsonl")).toHaveLength(2);
  });

  const row = (fields: Record<string, unknown>) => JSON.stringify({ timestamp: 5, input_length: 600, output_length: 3, hash_ids: [1, 2], ...fields });
  it.each([
    [row({ timestamp: -1 }), "t.jsonl:1: timestamp must be a non-negative number of milliseconds, got -1"],
    [row({ timestamp: "12" }), 't.jsonl:1: timestamp must be a non-negative number of milliseconds, got "12"'],
    [row({ input_length: undefined }), "t.jsonl:1: input_length must be a positive integer, got nothing"],
    [row({ input_length: 0 }), "t.jsonl:1: input_length must be a positive integer, got 0"],
    [row({ input_length: 2.5 }), "t.jsonl:1: input_length must be a positive integer, got 2.5"],
    [row({ output_length: -1 }), "t.jsonl:1: output_length must be a non-negative integer, got -1"],
    [row({ output_length: null }), "t.jsonl:1: output_length must be a non-negative integer, got null"],
    [row({ hash_ids: "1,2" }), 't.jsonl:1: hash_ids must be an array of block ids, got "1,2"'],
    [row({ hash_ids: [1, -2] }), "t.jsonl:1: hash_ids[1] must be a non-negative integer, got -2"],
    [row({ hash_ids: [1, 2, 3] }), "t.jsonl:1: hash_ids must be 2 ids long (600 input tokens in 512-token blocks), got 3"],
    ["{not json", "t.jsonl:1: not a JSON object: {not json"],
    ["[1, 2]", "t.jsonl:1: expected a JSON object"],
    ["", "t.jsonl: no requests (one JSON object per line)"],
    ["\n  \n", "t.jsonl: no requests (one JSON object per line)"],
  ])("%s is an input error naming file, line and field", (text, message) => {
    expect(inputError(() => parseMooncakeRequests(text, "t.jsonl"))).toBe(message);
  });
});

describe("azure traces", () => {
  it("read arrivals as seconds from the first timestamp, to the last digit, and lengths", () => {
    expect(readServingTrace(AZURE, "azure")).toEqual([
      { arrival: 0, prompt: 374, output: 44 },
      { arrival: 4.314579, prompt: 396, output: 109 },
      { arrival: 4.3194101, prompt: 879, output: 1 },
      { arrival: 13.81941, prompt: 91, output: 247 },
      { arrival: 20654.31941, prompt: 1500, output: 3 },
    ]);
  });

  const csv = (...rows: string[]) => ["TIMESTAMP,ContextTokens,GeneratedTokens", ...rows].join("\n");
  const arrivals = (...timestamps: string[]) => parseAzureRequests(csv(...timestamps.map((t) => `${t},10,1`)), "a.csv").map((r) => r.arrival);

  it("keep every fraction digit, whatever their number, and read the time as UTC", () => {
    expect(arrivals("2023-11-16 18:15:46.0000000", "2023-11-16 18:15:46.0000001")).toEqual([0, 1e-7]);
    expect(arrivals("2024-05-10 00:00:00", "2024-05-10 00:00:00.123456789012", "2024-05-10 00:00:01.5")).toEqual([0, 0.123456789012, 1.5]);
    expect(arrivals("2024-05-10T23:59:59.25Z", "2024-05-11 00:00:00.5+00:00")).toEqual([0, 1.25]);
    // A leap day, and across the end of a year.
    expect(arrivals("2024-02-28 12:00:00", "2024-02-29 12:00:00", "2025-01-01 12:00:00")).toEqual([0, 86400, 308 * 86400]);
  });

  it("count from the earliest timestamp when rows are out of order, keeping file order", () => {
    expect(arrivals("2023-11-16 18:15:47.5", "2023-11-16 18:15:46.25", "2023-11-16 18:15:48")).toEqual([1.25, 0, 1.75]);
  });

  it.each([
    [csv("2023-11-16 18:15:46.1,10,1", "2023-02-30 00:00:00,10,1"), 'a.csv:3: TIMESTAMP must be a date and time like 2023-11-16 18:15:46.6805900, got "2023-02-30 00:00:00"'],
    [csv("2023-11-16 24:00:00,10,1"), 'a.csv:2: TIMESTAMP must be a date and time like 2023-11-16 18:15:46.6805900, got "2023-11-16 24:00:00"'],
    [csv("2023-11-16 18:15:46+01:00,10,1"), 'a.csv:2: TIMESTAMP must be a date and time like 2023-11-16 18:15:46.6805900, got "2023-11-16 18:15:46+01:00"'],
    [csv("1700000000,10,1"), 'a.csv:2: TIMESTAMP must be a date and time like 2023-11-16 18:15:46.6805900, got "1700000000"'],
    [csv("2023-11-16 18:15:46,-3,1"), 'a.csv:2: ContextTokens must be a positive integer, got "-3"'],
    [csv("2023-11-16 18:15:46,,1"), 'a.csv:2: ContextTokens must be a positive integer, got ""'],
    [csv("2023-11-16 18:15:46,10,NaN"), 'a.csv:2: GeneratedTokens must be a non-negative integer, got "NaN"'],
    ["TIMESTAMP,ContextTokens\n2023-11-16 18:15:46,10", "a.csv:1: the header needs the column GeneratedTokens"],
    [csv(), "a.csv: no requests (a header TIMESTAMP,ContextTokens,GeneratedTokens and one line per request)"],
    ["", "a.csv: no requests (a header TIMESTAMP,ContextTokens,GeneratedTokens and one line per request)"],
  ])("%j is an input error naming file, line and field", (text, message) => {
    expect(inputError(() => parseAzureRequests(text, "a.csv"))).toBe(message);
  });

  it("a row with a missing cell names its line", () => {
    expect(inputError(() => parseAzureRequests(csv("2023-11-16 18:15:46,10,1", "2023-11-16 18:15:47,10"), "a.csv"))).toMatch(/^a\.csv:3: /);
  });
});

describe("vidur traces", () => {
  it("read as before, with no prefix", () => {
    const requests = readServingTrace(VIDUR, "vidur");
    expect(requests).toEqual(readRequestsCsv(VIDUR));
    expect(requests[1]).toEqual({ arrival: 0.25, prompt: 512, output: 1 });
    expect(inputError(() => parseRequestsCsv("arrival_s,prompt_tokens,output_tokens\n0,1,1\n-1,1,1\n", "v.csv")))
      .toBe('v.csv:3: arrival_s must be a non-negative number of seconds, got "-1"');
  });
});

describe("readServingTrace", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "kvsim-serving-trace-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string): string => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it.each([[MOONCAKE, "mooncake"], [AZURE, "azure"], [VIDUR, "vidur"]] as const)("auto reads %s as %s", (file, format: ServingTraceFormat) => {
    expect(readServingTrace(file)).toEqual(readServingTrace(file, format));
    expect(readServingTrace(file, "auto")).toEqual(readServingTrace(file, format));
  });

  it("auto detects by extension, a JSON first line, or the CSV header", () => {
    expect(detectServingTraceFormat("T.JSONL", "")).toBe("mooncake");
    expect(detectServingTraceFormat("t.txt", '\n{"timestamp": 0}\n')).toBe("mooncake");
    expect(detectServingTraceFormat("t.csv", "TIMESTAMP, ContextTokens, GeneratedTokens\n")).toBe("azure");
    expect(detectServingTraceFormat("t.csv", "request_id,arrival_s,prompt_tokens,output_tokens\n")).toBe("vidur");
    expect(inputError(() => detectServingTraceFormat("t.csv", "time,prompt,output\n1,2,3\n"))).toBe(
      "t.csv: cannot tell the trace format (a .jsonl file is mooncake; a CSV header with TIMESTAMP is azure, with arrival_s is vidur); name the format",
    );
  });

  it("an empty file has no requests, in every format", () => {
    const file = write("empty.csv", "");
    expect(inputError(() => readServingTrace(file))).toBe(`${file}: no requests (the file is empty)`);
    expect(inputError(() => readServingTrace(file, "mooncake"))).toBe(`${file}: no requests (one JSON object per line)`);
    expect(inputError(() => readServingTrace(file, "azure"))).toMatch(/: no requests \(a header TIMESTAMP/);
  });

  it("reads a file written elsewhere, with the file's name in its errors", () => {
    const file = write("t.jsonl", '{"timestamp": 0, "input_length": 10, "output_length": 1, "hash_ids": [7]}\n{"timestamp": 1}\n');
    expect(inputError(() => readServingTrace(file))).toBe(`${file}:2: input_length must be a positive integer, got nothing`);
  });

  it("a directory, a missing file or an unknown format is an input error", () => {
    expect(inputError(() => readServingTrace(DIR))).toBe(`cannot read ${DIR}: EISDIR (a directory, where a file was expected)`);
    expect(inputError(() => readServingTrace(join(dir, "none.csv")))).toMatch(/ENOENT \(no such file\)$/);
    expect(inputError(() => readServingTrace(AZURE, "sharegpt" as ServingTraceFormat))).toBe('unknown trace format "sharegpt" (vidur, mooncake, azure or auto)');
  });
});
