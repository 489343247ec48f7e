import { KvsimInputError } from "../errors.js";
import { parseJsonText } from "../json-file.js";
import { dispatchBatches, failedIfThrown } from "../sweep/dispatch.js";
import type { SweepFailure, SweepStatus } from "../sweep/execute.js";
import { resultsJsonl } from "../sweep/result.js";
import { modelFromHfConfig } from "../timed/models.js";
import { tableFile, PROFILE_TABLES } from "../timed/profile-tables.js";
import { inlineServingExecutor } from "../timed/sweep/job.js";
import { planServingSweepWith, type ServingSweepPlan, type ServingSweepSources } from "../timed/sweep/plan.js";
import { servingSweepArtifacts, splitOutcomes, summarizeServing, type ServingSummaryRow, type ServingSweepResult } from "../timed/sweep/report.js";
import { parseServingSweepSpec, type ServingSweepSpecInput } from "../timed/sweep/spec.js";
import { parseServingTrace } from "../timed/trace-formats.js";
import { init } from "./engine.js";
import { parseProfileTableFiles } from "./profile-tables.js";

export interface BrowserServingSweepOptions {
  /** The files the spec names (workload specs, traces, config.json files, `<timeModel>/<table>_predictions.csv.gz`), by name, as bytes. */
  files?: Record<string, Uint8Array>;
  charts?: boolean;
  onProgress?: (progress: { done: number; failed: number; total: number; elapsedMs: number }) => void;
  signal?: AbortSignal;
}

export interface BrowserServingSweepOutcome {
  status: SweepStatus;
  plan: ServingSweepPlan;
  results: ServingSweepResult[];
  summary: ServingSummaryRow[];
  failures: SweepFailure[];
  wallMs: number;
  /** What `kvsim sweep` writes for the spec, by file name (results.jsonl, results.csv, summary.csv, latency-vs-qps.svg). */
  files: Record<string, string>;
}

/** A serving spec's files from those given to the page, by the names the spec uses. */
function memorySources(files: Record<string, Uint8Array>): ServingSweepSources {
  const bytes = (name: string): Uint8Array => {
    const given = files[name];
    if (given === undefined) throw new KvsimInputError(`file ${name} was not provided (given: ${Object.keys(files).join(", ") || "none"})`);
    return given;
  };
  const text = (name: string): string => new TextDecoder().decode(bytes(name));
  return {
    workload: (path) => parseJsonText(text(path), path),
    trace: (path, format) => parseServingTrace(text(path), path, format),
    tables: async (path) => {
      const dir = path.replace(/\/+$/, "");
      const under = Object.fromEntries(PROFILE_TABLES.flatMap((t) => [tableFile(t), tableFile(t).replace(/\.gz$/, "")])
        .filter((f) => `${dir}/${f}` in files).map((f) => [f, files[`${dir}/${f}`]!]));
      return { key: dir, tables: await parseProfileTableFiles(under) };
    },
    modelConfig: (path) => modelFromHfConfig(parseJsonText(text(path), path), path),
  };
}

/**
 * Runs a serving sweep spec (`"kind": "serving"`, the JSON `kvsim sweep` takes) in the page, on
 * the calling thread between timer ticks, and returns its results and artifacts in memory: the
 * bytes Node writes for the same spec.
 */
export async function runServingSweep(spec: ServingSweepSpecInput, options: BrowserServingSweepOptions = {}): Promise<BrowserServingSweepOutcome> {
  await init();
  const plan = await planServingSweepWith(parseServingSweepSpec(spec, "spec"), { source: "spec", baseDir: "" }, memorySources(options.files ?? {}));
  const results: ServingSweepResult[] = [];
  const failures: SweepFailure[] = [];
  const t0 = performance.now();
  const batches = plan.rows.map((r) => [r.job]);
  const { interrupted } = await dispatchBatches(batches, inlineServingExecutor(plan.tables, (run) => setTimeout(run, 0)), options.signal, (jobs, outcomes) => {
    const { finished, failed } = splitOutcomes(plan.rows, failedIfThrown(jobs, outcomes));
    results.push(...finished);
    failures.push(...failed);
    options.onProgress?.({ done: results.length + failures.length, failed: failures.length, total: plan.rows.length, elapsedMs: performance.now() - t0 });
  });
  const wallMs = performance.now() - t0;
  results.sort((a, b) => a.row - b.row);
  failures.sort((a, b) => a.row - b.row);
  const status: SweepStatus = interrupted ? "interrupted" : failures.length ? "failed" : "complete";
  const summary = summarizeServing(results);
  const files = interrupted ? {} : { "results.jsonl": resultsJsonl(results), ...(await servingSweepArtifacts(results, summary, options.charts !== false)) };
  return { status, plan, results, summary, failures, wallMs, files };
}
