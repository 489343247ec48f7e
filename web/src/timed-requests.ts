import { byId } from "./dom.js";
import { integerField, positiveField } from "./form-fields.js";
import { atQps, detectServingTraceFormat, parseServingTrace, specAtQps, syntheticStream, type ServingRequest, type SyntheticWorkloadInput } from "./kvsim.js";
// The example is the repository's own file, shown as written: the same spec `kvsim serving simulate --workload` reads.
import chatSessions from "../../examples/chat-sessions.json?raw";

/** A trace file the page was given, parsed once when it was picked. */
export interface UploadedTrace {
  name: string;
  format: string;
  requests: ServingRequest[];
}

let uploaded: UploadedTrace | undefined;

export const EXAMPLE_WORKLOAD = chatSessions;

/**
 * Parses a picked trace file by the Node reader's rules (format from its name and first line);
 * a bad file leaves no trace picked and its error names the file, line and field.
 */
export async function pickTraceFile(file: File | undefined): Promise<UploadedTrace | undefined> {
  uploaded = undefined;
  if (!file) return undefined;
  const text = await file.text();
  uploaded = { name: file.name, format: detectServingTraceFormat(file.name, text), requests: parseServingTrace(text, file.name) };
  return uploaded;
}

function workloadSpec(): SyntheticWorkloadInput {
  const text = byId<HTMLTextAreaElement>("timed-workload").value;
  try {
    return JSON.parse(text) as SyntheticWorkloadInput;
  } catch (err) {
    throw new Error(`workload spec: not valid JSON (${(err as Error).message})`);
  }
}

/**
 * The requests the form asks for, at the QPS given if any: a synthetic workload drawn as the
 * simulation takes them, or the picked trace (its arrivals scaled about the first, as a serving
 * sweep's `qps` scales a trace).
 */
export function requestsFromForm(): { requests: Iterable<ServingRequest>; source: string } {
  const qps = positiveField("timed-qps");
  const source = byId<HTMLInputElement>("timed-source-trace").checked ? "trace" : "workload";
  if (source === "trace") {
    if (!uploaded) throw new Error("trace file: pick a Vidur CSV, Mooncake JSONL or Azure CSV file first");
    return { requests: qps === undefined ? uploaded.requests : atQps(uploaded.requests, qps), source: uploaded.name };
  }
  const spec = workloadSpec();
  const seed = integerField("timed-seed") ?? 0;
  return { requests: syntheticStream(qps === undefined ? spec : specAtQps(spec, qps), seed, "workload spec"), source: `synthetic workload, seed ${seed}` };
}
