import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { KvsimInputError } from "../errors.js";
import { fileErrorText } from "../json-file.js";
import { writeFileAtomic } from "../report/write-atomic.js";
import { readResultsFile, writeResultsFile, type StoredRow } from "./results-file.js";

/** What a sweep's output directory says of it, whatever it sweeps: run_metadata.json and results.jsonl. */

export interface Metadata {
  status: "complete" | "failed" | "interrupted" | "running";
  specHash: string;
  [key: string]: unknown;
}

/**
 * The directory's run_metadata.json, if any. One that is not a sweep's (not JSON, or without a
 * spec hash) is refused rather than taken for none: the sweep would overwrite it.
 */
function readMetadata(file: string): Metadata | undefined {
  if (!existsSync(file)) return undefined;
  let metadata: unknown;
  try {
    metadata = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new KvsimInputError(`${file}: not a sweep's metadata (${err instanceof SyntaxError ? "invalid JSON" : fileErrorText(err)}); use another --out, or delete it first`);
  }
  if (typeof metadata !== "object" || metadata === null || typeof (metadata as { specHash?: unknown }).specHash !== "string") {
    throw new KvsimInputError(`${file}: not a sweep's metadata (no "specHash" string); use another --out, or delete it first`);
  }
  return metadata as Metadata;
}

/** The results already in the directory that a resume may keep; errors if they belong to another sweep. */
function resumable<R extends StoredRow>(plan: { specHash: string; rows: readonly { key: string; index: number }[] }, outDir: string): R[] {
  const file = join(outDir, "results.jsonl");
  const metadata = readMetadata(join(outDir, "run_metadata.json"));
  const { results, tornTail } = readResultsFile<R>(file);
  if (metadata && metadata.specHash !== plan.specHash) {
    throw new KvsimInputError(`${outDir} holds results of a different sweep (spec hash ${metadata.specHash.slice(0, 12)}…, ` +
      `this one ${plan.specHash.slice(0, 12)}…); use another --out or drop --resume`);
  }
  const rowsByKey = new Map(plan.rows.map((r) => [r.key, r]));
  const seen = new Set<string>();
  const kept: R[] = [];
  for (const r of results) {
    const row = rowsByKey.get(r.key);
    if (!row || row.index !== r.row) {
      throw new KvsimInputError(`${file}: row "${r.key}" is not part of this sweep; use another --out or drop --resume`);
    }
    if (seen.has(r.key)) continue;
    seen.add(r.key);
    kept.push(r);
  }
  if (tornTail || kept.length !== results.length) writeResultsFile(file, kept);
  return kept;
}

export function machine() {
  const cpu = cpus();
  return { platform: process.platform, arch: process.arch, cpus: cpu.length, cpuModel: cpu[0]?.model ?? "unknown", totalMemBytes: totalmem() };
}

/**
 * Opens a sweep's output directory: made if missing, its results.jsonl kept for a resume (after
 * checking they belong to this sweep) or removed; returns the files' paths and the rows a resume keeps.
 */
export function openSweepDir<R extends StoredRow>(plan: { specHash: string; rows: readonly { key: string; index: number }[] }, outDir: string, resume: boolean | undefined):
  { resultsFile: string; metadataFile: string; previous: R[]; done: Set<string> } {
  mkdirSync(outDir, { recursive: true });
  const resultsFile = join(outDir, "results.jsonl");
  // A fresh run into another sweep's directory would mix its results with that sweep's charts and tables.
  const other = readMetadata(join(outDir, "run_metadata.json"));
  if (!resume && other && other.specHash !== plan.specHash) {
    throw new KvsimInputError(`${outDir} holds the artifacts of another sweep (${String(other["spec"] ?? "unnamed")}, spec hash ${other.specHash.slice(0, 12)}…); ` +
      "use another --out, or delete that directory first");
  }
  const previous = resume ? resumable<R>(plan, outDir) : [];
  if (!resume) rmSync(resultsFile, { force: true });
  return { resultsFile, metadataFile: join(outDir, "run_metadata.json"), previous, done: new Set(previous.map((r) => r.key)) };
}

/**
 * Closes a sweep's output directory: unless interrupted, results.jsonl rewritten in row order (the
 * bytes any thread count gives) and the derived files beside it; then run_metadata.json with how the
 * run ended. Returns every file written.
 */
export function closeSweepDir(dir: { resultsFile: string; metadataFile: string }, results: readonly StoredRow[], artifacts: Record<string, string> | null,
  metadata: Metadata): string[] {
  const files = [dir.resultsFile, dir.metadataFile];
  if (artifacts) {
    writeResultsFile(dir.resultsFile, results);
    for (const [name, text] of Object.entries(artifacts)) {
      const file = join(dirname(dir.resultsFile), name);
      writeFileAtomic(file, text);
      files.push(file);
    }
  }
  writeFileAtomic(dir.metadataFile, JSON.stringify(metadata, null, 2) + "\n");
  return files;
}
