import { KvsimInputError } from "../../errors.js";

export const CSV_OPTIONS = { columns: true, info: true, skip_empty_lines: true, trim: true } as const;

/** A csv-parse failure as an input error naming the file and line. */
export function csvError(err: unknown, file: string): unknown {
  if (err instanceof KvsimInputError) return err;
  const e = err as Error & { lines?: number };
  return new KvsimInputError(`${file}${e.lines ? `:${e.lines}` : ""}: ${e.message}`);
}
