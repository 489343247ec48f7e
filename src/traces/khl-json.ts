import { KvsimInputError } from "../errors.js";
import { readJsonFile } from "../json-file.js";
import type { Trace } from "./trace.js";

interface KhlTraceEntry {
  workload: string;
  num_pages: number;
  num_scalars: number[];
  trace: number[];
  seed?: number;
}

/**
 * kv-hierarchy-lab's exported trace list (`traces.json`): an array of
 * `{ workload, num_pages, num_scalars[], trace[] }`. Page i is named "page-i", as in the project.
 */
export function parseKhlTraceList(value: unknown, source: string): Trace[] {
  if (!Array.isArray(value)) throw new KvsimInputError(`${source}: expected a JSON array of traces`);
  return value.map((raw, i) => {
    const entry = raw as Partial<KhlTraceEntry>;
    const where = `${source}: [${i}]`;
    if (typeof entry !== "object" || entry === null) throw new KvsimInputError(`${where}: expected an object`);
    if (!Number.isInteger(entry.num_pages) || entry.num_pages! < 1) {
      throw new KvsimInputError(`${where}.num_pages: expected a positive integer`);
    }
    if (!Array.isArray(entry.trace)) throw new KvsimInputError(`${where}.trace: expected an array of page indices`);
    if (!Array.isArray(entry.num_scalars) || entry.num_scalars.length !== entry.num_pages) {
      throw new KvsimInputError(`${where}.num_scalars: expected ${entry.num_pages} scalar counts`);
    }
    const n = entry.num_pages!;
    entry.trace.forEach((p, k) => {
      if (!Number.isInteger(p) || p < 0 || p >= n) {
        throw new KvsimInputError(`${where}.trace[${k}]: page ${JSON.stringify(p)} out of range 0..${n - 1}`);
      }
    });
    return {
      name: entry.workload ?? `trace-${i}`,
      numPages: n,
      accesses: Int32Array.from(entry.trace),
      pageScalars: Int32Array.from(entry.num_scalars, (s) => Math.max(1, s)),
      pageIds: Array.from({ length: n }, (_, k) => `page-${k}`),
    };
  });
}

export function readKhlTraceList(file: string): Trace[] {
  return parseKhlTraceList(readJsonFile(file), file);
}
