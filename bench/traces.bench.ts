/**
 * `npm run bench:traces`: reading page traces. Writes the engine bench's 10M-access Zipf trace
 * (1M pages, scalars) as CSV, JSONL and libCacheSim's oracleGeneral into a temporary directory,
 * the last twice: with the pages' indices as ids (below the record count, so the reader indexes
 * them) and with sparse 64-bit ids (hashed, as a real cache trace's), then reads each in a fresh
 * process, alternating formats round by round (the machine's speed drifts; rounds spread it over
 * both), and reports the median rows/s and the median peak RSS above the process's start, next to
 * the trace's own typed arrays. Writes bench/results/traces.json.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeTrace } from "../src/traces/load.js";
import { generateWorkload } from "../src/workloads/registry.js";
import { median } from "./median.js";

const ROUNDS = Number(process.env.KVSIM_BENCH_ROUNDS ?? 5);
const FORMATS = ["csv", "jsonl", "oracle-general", "oracle-general-sparse-ids"] as const;
const EXTENSIONS = { csv: "csv", jsonl: "jsonl", "oracle-general": "oracleGeneral.bin", "oracle-general-sparse-ids": "sparse.oracleGeneral.bin" } as const;

/** Page p's sparse 64-bit id: splitmix64 of p, distinct for distinct pages (a bijection). */
function sparseId(p: number): string {
  let z = (BigInt(p) + 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & 0xffffffffffffffffn;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & 0xffffffffffffffffn;
  return (z ^ (z >> 31n)).toString();
}

interface Once {
  seconds: number;
  rows: number;
  pages: number;
  peakRssDeltaBytes: number;
  heapDeltaBytes: number;
}

const dir = mkdtempSync(join(tmpdir(), "kvsim-bench-traces-"));
try {
  const zipf = generateWorkload("zipf", { pages: 1_000_000, length: 10_000_000, alpha: 0.99, seed: 1, scalars: 2048 });
  const typedBytes = zipf.accesses.byteLength + zipf.pageScalars!.byteLength;
  const files = Object.fromEntries(FORMATS.map((f) => {
    const file = join(dir, `zipf10M.${EXTENSIONS[f]}`);
    const t0 = performance.now();
    writeTrace(f === "oracle-general-sparse-ids" ? { ...zipf, pageIds: Array.from({ length: zipf.numPages }, (_, p) => sparseId(p)) } : zipf, file);
    console.log(`wrote ${file}: ${(statSync(file).size / 2 ** 20).toFixed(0)} MiB in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
    return [f, file];
  })) as Record<(typeof FORMATS)[number], string>;
  const runs: Record<string, Once[]> = Object.fromEntries(FORMATS.map((f) => [f, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const f of FORMATS) {
      const out = execFileSync(process.execPath, [join(import.meta.dirname, "trace-read-once.js"), files[f]], { encoding: "utf8" });
      const once = JSON.parse(out) as Once;
      if (once.rows !== zipf.accesses.length) throw new Error(`${f}: read ${once.rows} rows, wrote ${zipf.accesses.length}`);
      runs[f]!.push(once);
    }
    console.log(`round ${round + 1}/${ROUNDS}: ${FORMATS.map((f) => `${f} ${(runs[f]!.at(-1)!.rows / runs[f]!.at(-1)!.seconds / 1e6).toFixed(2)}M rows/s`).join(", ")}`);
  }
  const rows = FORMATS.map((f) => {
    const r = runs[f]!;
    return {
      format: f, rows: zipf.accesses.length, fileBytes: statSync(files[f]).size, runs: r.length,
      rowsPerSecond: median(r.map((x) => x.rows / x.seconds)),
      minRowsPerSecond: Math.min(...r.map((x) => x.rows / x.seconds)), maxRowsPerSecond: Math.max(...r.map((x) => x.rows / x.seconds)),
      peakRssDeltaBytes: median(r.map((x) => x.peakRssDeltaBytes)), heapDeltaBytes: median(r.map((x) => x.heapDeltaBytes)), typedArrayBytes: typedBytes,
    };
  });
  for (const r of rows) {
    console.log(`${r.format}: ${(r.rowsPerSecond / 1e6).toFixed(2)}M rows/s (median of ${r.runs}, ${(r.minRowsPerSecond / 1e6).toFixed(2)}–${(r.maxRowsPerSecond / 1e6).toFixed(2)}), ` +
      `peak RSS +${(r.peakRssDeltaBytes / 2 ** 20).toFixed(0)} MiB, heap +${(r.heapDeltaBytes / 2 ** 20).toFixed(0)} MiB ` +
      `for ${(r.fileBytes / 2 ** 20).toFixed(0)} MiB of file and ${(r.typedArrayBytes / 2 ** 20).toFixed(0)} MiB of typed arrays`);
  }
  writeFileSync("bench/results/traces.json", JSON.stringify({ node: process.version, rounds: ROUNDS, rows }, null, 2) + "\n");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
