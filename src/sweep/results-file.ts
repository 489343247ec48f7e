import { closeSync, existsSync, openSync, readFileSync, writeSync } from "node:fs";
import { KvsimInputError } from "../errors.js";
import { writeFileAtomic } from "../report/write-atomic.js";
import { resultLine, resultsJsonl, type SweepResult } from "./result.js";

/** What every sweep's result line holds at least: its row and key, what a resume matches on. */
export interface StoredRow {
  row: number;
  key: string;
}

export interface StoredResults<R extends StoredRow = SweepResult> {
  results: R[];
  /** A last line without its newline: the write a kill interrupted. It is dropped. */
  tornTail: boolean;
}

/** Reads `results.jsonl` as a resume sees it: every complete line must parse. */
export function readResultsFile<R extends StoredRow = SweepResult>(file: string): StoredResults<R> {
  if (!existsSync(file)) return { results: [], tornTail: false };
  const text = readFileSync(file, "utf8");
  const lines = text.split("\n");
  const tail = lines.pop()!;
  const results = lines.map((line, i) => {
    try {
      const r = JSON.parse(line) as R;
      if (typeof r.key !== "string" || typeof r.row !== "number") throw new Error("not a result");
      return r;
    } catch {
      throw new KvsimInputError(`${file}:${i + 1}: not a sweep result line; remove the file or choose another --out`);
    }
  });
  return { results, tornTail: tail.length > 0 };
}

/**
 * Appends whole lines as results arrive. Each line goes out in one write, so a killed process
 * leaves complete lines plus at most one torn tail, which `readResultsFile` drops.
 */
export class ResultAppender {
  private fd: number;

  constructor(file: string) {
    this.fd = openSync(file, "a");
  }

  append(results: readonly StoredRow[]): void {
    if (results.length) writeSync(this.fd, results.map(resultLine).join(""));
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Rewrites the file in row order (atomically): the canonical form every thread count produces. */
export function writeResultsFile(file: string, results: readonly StoredRow[]): void {
  writeFileAtomic(file, resultsJsonl(results));
}
