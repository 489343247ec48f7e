import { namedObjectIds, type Trace } from "../traces/trace.js";

/** A trace whose arrays live in SharedArrayBuffers: every worker reads the same memory, no copy. */
export type SharedTrace = Omit<Trace, "pageIds">;

function shared(a: Int32Array): Int32Array {
  const copy = new Int32Array(new SharedArrayBuffer(a.byteLength));
  copy.set(a);
  return copy;
}

/**
 * Copies a trace's arrays into shared memory once; page ids stay behind (workers never print
 * them), but the object ids they name come along, for policies that hash them (tinylfu).
 */
export function shareTrace(trace: Trace): SharedTrace {
  const out: SharedTrace = { name: trace.name, numPages: trace.numPages, accesses: shared(trace.accesses) };
  if (trace.pageScalars) out.pageScalars = shared(trace.pageScalars);
  if (trace.pageBytes) out.pageBytes = shared(trace.pageBytes);
  const ids = namedObjectIds(trace);
  if (ids) out.objectIds = shared(ids);
  return out;
}
