import { KvsimInputError } from "../errors.js";
import { parseTraceFile } from "../browser/trace-files.js";
import type { Trace } from "../traces/trace.js";
import type { TraceFormat } from "../traces/trace-format.js";
import type { SweepSources } from "./plan.js";

/** Trace files given in memory, by the name a spec's `{ "trace": NAME }` uses: raw bytes or parsed traces. */
export type TraceFiles = Record<string, Uint8Array | Trace[]>;

/** The last path component, as Node's basename gives it: spec labels must not depend on where the spec ran. */
const baseName = (path: string): string => path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1);

/**
 * A sweep's sources with no file system (a page, or traces already in memory): scenario files
 * cannot be read (inline the object instead); trace files come from `files`.
 */
export function memorySources(files: TraceFiles = {}): SweepSources {
  const parsed = new Map<string, Trace[]>();
  const tracesOf = (name: string, format: TraceFormat): Trace[] => {
    const given = files[name];
    if (given === undefined) throw new KvsimInputError(`trace file ${name} was not provided (given: ${Object.keys(files).join(", ") || "none"})`);
    if (Array.isArray(given)) return given;
    const key = `${format}:${name}`;
    if (!parsed.has(key)) parsed.set(key, parseTraceFile(given, name, format));
    return parsed.get(key)!;
  };
  return {
    scenario: (path) => {
      throw new KvsimInputError(`"${path}" is not a scenario preset; give the scenario object inline`);
    },
    traceFile: (name) => ({
      id: name, name: baseName(name),
      list: () => tracesOf(name, "khl-json"),
      read: async (format, index) => {
        const list = tracesOf(name, format);
        const trace = list[index];
        if (!trace) throw new KvsimInputError(`${name}: index ${index} out of range (the file holds ${list.length} trace${list.length === 1 ? "" : "s"})`);
        return trace;
      },
    }),
  };
}
