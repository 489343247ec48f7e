import { KvsimInputError } from "../../errors.js";
import type { TraceBuilder } from "../trace-builder.js";

/** One parsed CSV record into the builder (shared by the file reader and the in-memory parser). */
export function addCsvRecord(builder: TraceBuilder, record: Record<string, string>, line: number, file: string): void {
  const page = record.page;
  if (page === undefined) throw new KvsimInputError(`${file}:1: the header needs a "page" column`);
  if (page === "") throw new KvsimInputError(`${file}:${line}: empty page id`);
  const size = record.bytes !== undefined && record.bytes !== "" ? { kind: "bytes" as const, value: Number(record.bytes) }
    : record.scalars !== undefined && record.scalars !== "" ? { kind: "scalars" as const, value: Number(record.scalars) }
    : undefined;
  builder.add(page, line, size);
}

export const CSV_OPTIONS = { columns: true, info: true, skip_empty_lines: true, trim: true } as const;

/** A csv-parse failure as an input error naming the file and line. */
export function csvError(err: unknown, file: string): unknown {
  if (err instanceof KvsimInputError) return err;
  const e = err as Error & { lines?: number };
  return new KvsimInputError(`${file}${e.lines ? `:${e.lines}` : ""}: ${e.message}`);
}
