import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { readDqnFile } from "../../src/agents/dqn-agent.js";
import { readQTable } from "../../src/agents/q-learning.js";
import { parseTraceFile } from "../../src/browser/trace-files.js";
import { readNpaRecording } from "../../src/envs/serving/npa/replay.js";
import { resolveScenario } from "../../src/hierarchy/load-scenario.js";
import { scenarioPreset } from "../../src/hierarchy/presets.js";
import { readJsonFile } from "../../src/json-file.js";
import { readResultsFile } from "../../src/sweep/results-file.js";
import { readSweepSpec } from "../../src/sweep/spec.js";
import { resolveModel } from "../../src/timed/models.js";
import { PROFILE_TABLES, readProfileTables, tableFile } from "../../src/timed/profile-tables.js";
import { parseServingSweepSpec } from "../../src/timed/sweep/spec.js";
import { readServingTrace } from "../../src/timed/trace-formats.js";
import { syntheticStream } from "../../src/timed/workloads.js";
import { readTokenTrace, writeTokenTrace } from "../../src/tokens/format.js";
import { generateTokenTrace } from "../../src/tokens/generate.js";
import { readLearnedWeights } from "../../src/tokens/learned/weights.js";
import { encodeBinaryTrace } from "../../src/traces/formats/binary.js";
import { readMooncakeTrace } from "../../src/traces/formats/mooncake.js";
import { readTrace } from "../../src/traces/load.js";

/**
 * Every file reader kvsim has, fed random bytes, truncations and byte mutations of a valid file:
 * each must return a value or throw a KvsimInputError naming the file, never another exception
 * (a TypeError, a RangeError, a stack trace on the user's screen) and never hang.
 */

const dir = mkdtempSync(join(tmpdir(), "kvsim-fuzz-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fixture = (path: string): Uint8Array => readFileSync(join(import.meta.dirname, "..", "fixtures", path));
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

interface Reader {
  name: string;
  /** The file name the bytes are written under (its extension picks the format). */
  file: string;
  valid: Uint8Array;
  /** Reads the file at `path`; the value is not checked, only that reading ends cleanly. */
  read(path: string): unknown;
  /** What an error must name: the path by default. */
  names?(path: string): string;
  runs?: number;
}

const tinyTokenTrace = (): Uint8Array => {
  const file = join(dir, "valid.kvtrace");
  writeTokenTrace(file, generateTokenTrace({ contextTokens: 384, futureTokens: 8, kvHeads: 1, headDim: 8, obsWindow: 8, seed: 3 }));
  return readFileSync(file);
};

/** A predictor-table directory whose `add` table is the fuzzed file (gzip bytes, or CSV text gzipped here). */
function profileReader(gzipped: boolean): Reader {
  const tables = join(dir, gzipped ? "tables-gz" : "tables-csv");
  mkdirSync(tables);
  for (const t of PROFILE_TABLES) copyFileSync(join(import.meta.dirname, "../fixtures/vidur/predictor_tables", tableFile(t)), join(tables, tableFile(t)));
  const target = join(tables, tableFile("add"));
  const valid = fixture(`vidur/predictor_tables/${tableFile("add")}`);
  return {
    name: gzipped ? "Vidur profile table (gzip bytes)" : "Vidur profile table (CSV text)",
    file: gzipped ? "add.gz" : "add.csv",
    valid: gzipped ? valid : gunzipSync(valid),
    read: (path) => {
      const bytes = readFileSync(path);
      writeFileSync(target, gzipped ? bytes : gzipSync(bytes, { level: 1 }));
      return readProfileTables(tables);
    },
    names: () => target,
    // A valid read parses all twelve tables (about 10^6 rows): fewer runs keep the file fast.
    runs: 12,
  };
}

const servingSweep = (path: string): unknown => parseServingSweepSpec(readJsonFile(path), path);

const READERS: Reader[] = [
  { name: "page trace CSV", file: "t.csv", valid: text('\ufeffts,page,bytes\r\n1,a,100\r\n2,"b ""x"", y",50\r\n3, a ,100\r\n\r\n'), read: (p) => readTrace(p) },
  { name: "page trace CSV, ids only", file: "ids.csv", valid: text("page\n7\n8\n7\n12345678901\n"), read: (p) => readTrace(p) },
  { name: "page trace JSONL", file: "t.jsonl", valid: text('{"page": 7, "bytes": 10}\n\n{"page": "x", "bytes": 20}\r\n{"page": 7}\n'), read: (p) => readTrace(p) },
  { name: "page trace JSONL, scalars", file: "s.jsonl", valid: text('{"page":0,"scalars":2048}\n{"page":1,"scalars":4096}\n{"page":0}\n'), read: (p) => readTrace(p) },
  {
    name: "page trace .kvt", file: "t.kvt",
    valid: encodeBinaryTrace({ name: "t", numPages: 3, accesses: Int32Array.from([0, 1, 2, 1, 0]), pageBytes: Int32Array.from([10, 20, 30]) }),
    read: (p) => readTrace(p),
  },
  { name: "khl-json trace list", file: "traces.json", valid: fixture("kv-hierarchy-lab/traces.json"), read: (p) => readTrace(p), runs: 40 },
  { name: "page trace CSV in a browser", file: "b.csv", valid: text("page,scalars\na,5\nb,6\n"), read: (p) => parseTraceFile(readFileSync(p), p) },
  { name: "page trace JSONL in a browser", file: "b.jsonl", valid: text('{"page":"a","bytes":2}\n{"page":"b","bytes":3}\n'), read: (p) => parseTraceFile(readFileSync(p), p) },
  { name: "Mooncake page trace", file: "m.jsonl", valid: fixture("timed/mooncake-5.jsonl"), read: (p) => readMooncakeTrace(p) },
  { name: "Mooncake serving trace", file: "m.jsonl", valid: fixture("timed/mooncake-5.jsonl"), read: (p) => readServingTrace(p) },
  { name: "Vidur serving trace", file: "v.csv", valid: fixture("timed/vidur-5.csv"), read: (p) => readServingTrace(p) },
  { name: "Azure serving trace", file: "a.csv", valid: fixture("timed/azure-5.csv"), read: (p) => readServingTrace(p) },
  { name: "scenario JSON", file: "s.json", valid: text(JSON.stringify(scenarioPreset("small_fp16_prefetch"), null, 1)), read: (p) => resolveScenario(p) },
  {
    name: "sweep spec", file: "sweep.json",
    valid: text(JSON.stringify({ name: "t", scenarios: ["small_fp16_prefetch"], workloads: ["rag_burst", { name: "zipf", params: { pages: 50 } }], policies: ["lru"], seeds: [1] })),
    read: (p) => readSweepSpec(p),
  },
  { name: "serving sweep spec", file: "serving.json", valid: readFileSync(join(import.meta.dirname, "../../examples/serving-sweep.json")), read: servingSweep },
  {
    name: "synthetic workload spec", file: "w.json", valid: readFileSync(join(import.meta.dirname, "../../examples/chat-sessions.json")),
    // The spec is checked before the first request; a few requests show it generates.
    read: (p) => {
      const stream = syntheticStream(readJsonFile(p) as never, 1, p);
      for (let i = 0; i < 5 && !stream.next().done; i++);
    },
  },
  { name: "Hugging Face model config", file: "config.json", valid: fixture("hf/llama-3-8b-config.json"), read: (p) => resolveModel(p) },
  { name: "token trace .kvtrace", file: "t.kvtrace", valid: tinyTokenTrace(), read: (p) => readTokenTrace(p) },
  {
    name: "learned token-scorer weights", file: "w.json",
    valid: text(JSON.stringify({ format: "kvsim-token-scorer", version: 1, headDim: 4, heads: [], training: { steps: 1 } })),
    read: (p) => readLearnedWeights(p),
  },
  {
    name: "DQN weights", file: "dqn.json",
    valid: text(JSON.stringify({ kind: "kvsim-dqn", env: "npa-easy", observation: 2, actions: 2, hidden: [], steps: 1, seed: 0, weights: { layers: [{ w: [[1, 0], [0, 1]], b: [0, 0] }] }, curve: [] })),
    read: (p) => readDqnFile(p),
  },
  { name: "Q-table", file: "q.json", valid: text(JSON.stringify({ kind: "kvsim-qtable", env: "npa-easy", steps: 1, seed: 0, q: [[0, null]], curve: [] })), read: (p) => readQTable(p) },
  {
    name: "NPA recording", file: "rec.jsonl",
    valid: text(new TextDecoder().decode(fixture("neural-paged-attention/scripted_medium.jsonl")).split("\n").slice(0, 6).join("\n") + "\n"),
    read: (p) => readNpaRecording(p),
  },
  {
    name: "sweep results.jsonl (resume)", file: "results.jsonl",
    valid: text('{"row":0,"key":"a","metrics":{"hits":1}}\n{"row":1,"key":"b","metrics":{"hits":2}}\n'),
    read: (p) => readResultsFile(p),
  },
  profileReader(true),
  profileReader(false),
];

/** Byte edits of a valid file: overwrite, insert or delete at a position (taken modulo the length). */
const edit = fc.record({ kind: fc.constantFrom("set", "insert", "delete"), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) });

function mutate(valid: Uint8Array, edits: { kind: string; at: number; byte: number }[]): Uint8Array {
  const bytes = [...valid];
  for (const e of edits) {
    const at = e.at % (bytes.length + 1);
    if (e.kind === "insert") bytes.splice(at, 0, e.byte);
    else if (at < bytes.length) {
      if (e.kind === "set") bytes[at] = e.byte;
      else bytes.splice(at, 1);
    }
  }
  return Uint8Array.from(bytes);
}

/** Follows `choices` down into a JSON value (a child each, modulo the count) and puts `replacement` there. */
function replaceAt(value: unknown, choices: number[], replacement: unknown): unknown {
  if (choices.length === 0 || typeof value !== "object" || value === null) return replacement;
  const [first, ...rest] = choices as [number, ...number[]];
  if (Array.isArray(value)) {
    if (value.length === 0) return replacement;
    const i = first % value.length;
    return value.map((v, k) => (k === i ? replaceAt(v, rest, replacement) : v));
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return replacement;
  const key = keys[first % keys.length]!;
  return { ...value, [key]: replaceAt((value as Record<string, unknown>)[key], rest, replacement) };
}

/** A .kvtrace file with its JSON header rewritten by `edit`, padded as the writer pads it so the arrays stay aligned. */
function withKvtraceHeader(valid: Uint8Array, edit: (header: unknown) => unknown): Uint8Array {
  const bytes = Buffer.from(valid);
  const length = bytes.readUInt32LE(8);
  const json = JSON.stringify(edit(JSON.parse(bytes.toString("utf8", 16, 16 + length))));
  const padded = Math.ceil((Buffer.byteLength(json) + 16) / 64) * 64 - 16;
  const head = Buffer.alloc(16 + padded, " ");
  bytes.copy(head, 0, 0, 8);
  head.writeUInt32LE(padded, 8);
  head.writeUInt32LE(0, 12);
  head.write(json, 16, "utf8");
  return Buffer.concat([head, bytes.subarray(16 + length)]);
}

/** A valid JSON file (or one line of JSONL, or a .kvtrace header) with one value somewhere inside swapped for random JSON. */
function swapValue(valid: Uint8Array, file: string, line: number, choices: number[], replacement: unknown): Uint8Array {
  if (file.endsWith(".kvtrace")) return withKvtraceHeader(valid, (header) => replaceAt(header, choices, replacement));
  const source = new TextDecoder().decode(valid);
  if (file.endsWith(".json")) return text(JSON.stringify(replaceAt(JSON.parse(source), choices, replacement)));
  const lines = source.split("\n");
  const full = lines.flatMap((l, i) => (l.trim() ? [i] : []));
  const k = full[line % full.length]!;
  lines[k] = JSON.stringify(replaceAt(JSON.parse(lines[k]!), choices, replacement));
  return text(lines.join("\n"));
}

/** A read ends in a value or in a KvsimInputError that names the file. */
async function readsCleanly(reader: Reader, bytes: Uint8Array, n: number): Promise<void> {
  const path = join(dir, `${n}-${reader.file}`);
  writeFileSync(path, bytes);
  try {
    await reader.read(path);
  } catch (err) {
    const e = err as Error;
    if (e?.name !== "KvsimInputError") throw new Error(`${reader.name}: ${e?.name ?? typeof err} (not an input error): ${e?.message ?? String(err)}\n${e?.stack}`);
    expect(e.message, reader.name).toContain(reader.names?.(path) ?? path);
  } finally {
    rmSync(path, { force: true });
  }
}

// fast-check abandons a run (and fails) past this; a run that yields to the event loop can be timed
// out, and every reader here reads a file of a few kilobytes.
const RUN_TIMEOUT_MS = 5000;

describe("file readers under fuzzing", () => {
  let n = 0;
  for (const reader of READERS) {
    const runs = reader.runs ?? 60;
    const options = { numRuns: runs, timeout: RUN_TIMEOUT_MS, seed: 20240229 };
    describe(reader.name, () => {
      it("the valid file reads", async () => {
        const path = join(dir, `valid-${reader.file}`);
        writeFileSync(path, reader.valid);
        await reader.read(path);
      });
      it("random bytes", async () => {
        await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), (bytes) => readsCleanly(reader, bytes, n++)), options);
      });
      it("truncations of a valid file", async () => {
        await fc.assert(fc.asyncProperty(fc.nat({ max: reader.valid.length }), (len) => readsCleanly(reader, reader.valid.subarray(0, len), n++)), options);
      });
      it("byte edits of a valid file", async () => {
        await fc.assert(fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => readsCleanly(reader, mutate(reader.valid, edits), n++)), options);
      });
      if (/\.(jsonl?|kvtrace)$/.test(reader.file)) {
        // Random bytes are rarely JSON: swapping a field's value for any JSON value reaches the checks behind the parser.
        it("values swapped for random JSON", async () => {
          await fc.assert(fc.asyncProperty(fc.nat(), fc.array(fc.nat(), { maxLength: 4 }), fc.jsonValue({ maxDepth: 2 }), (line, choices, replacement) =>
            readsCleanly(reader, swapValue(reader.valid, reader.file, line, choices, replacement), n++)), options);
        });
      }
    });
  }
});
