import { Command } from "commander";
import { KvsimInputError } from "../errors.js";
import type { SpecOrigin } from "../sweep/plan.js";
import { originOf, planSweep } from "../sweep/plan-files.js";
import { sweepPreset, SWEEP_PRESETS } from "../sweep/presets.js";
import { runSweep, type SweepOutcome, type SweepProgress } from "../sweep/run-sweep.js";
import type { SweepFailure } from "../sweep/execute.js";
import { redisUrlOption, REDIS_URL_ENV } from "../sweep/remote/redis-url.js";
import { parseSweepSpec } from "../sweep/spec.js";
import { readJsonFile } from "../json-file.js";
import { isServingSweep, parseServingSweepSpec } from "../timed/sweep/spec.js";
import { planServingSweep } from "../timed/sweep/plan-files.js";
import { runServingSweep, type ServingSweepOutcome } from "../timed/sweep/run.js";
import type { SummaryRow } from "../sweep/summary.js";
import { ExitStatus } from "./exit-status.js";
import { table } from "./format.js";
import { parseIntInRange } from "./options.js";
import { progressReporter } from "./progress.js";
import { checkOutputDir } from "./outputs.js";

interface SweepCliOptions {
  preset?: string;
  traces?: string;
  out: string;
  threads?: number;
  backend?: string;
  resume?: boolean;
  json?: boolean;
  charts: boolean;
}

/** Per scenario: policies × workloads, mean hit rate (%) across seeds, plus mean latency over workloads. */
function finalTables(summary: readonly SummaryRow[]): string {
  const scenarios = [...new Set(summary.map((r) => r.scenario))];
  return scenarios.map((scenario) => {
    const rows = summary.filter((r) => r.scenario === scenario);
    const workloads = [...new Set(rows.map((r) => r.workload))];
    const policies = [...new Set(rows.map((r) => r.policy))];
    const body = policies.map((policy) => {
      const mine = rows.filter((r) => r.policy === policy);
      const latency = mine.reduce((a, r) => a + r.stats.avgLatencyMs!.mean, 0) / mine.length;
      return [policy, ...workloads.map((w) => {
        const cell = mine.find((r) => r.workload === w);
        return cell ? (100 * cell.stats.hitRate!.mean).toFixed(1) : "";
      }), latency.toFixed(3)];
    });
    return `\n${scenario} — simulated hit rate % (mean over seeds) and mean avg latency (ms/access)\n` +
      table(["policy", ...workloads, "latency ms"], body);
  }).join("\n");
}

/** The failures, then the tables, then how many rows ran where and how long, and the files written. */
function report(outcome: Ended, tables: string, ran: number, wallMs: number, out: string): void {
  for (const f of outcome.failures) console.error(`kvsim: row ${f.row} (${f.key}) failed: ${f.error}`);
  console.log(tables);
  const where = outcome.threads ? `on ${outcome.threads} thread(s)` : "on remote workers";
  const failed = outcome.failures.length ? `, ${outcome.failures.length} failed` : "";
  console.log(`\n${outcome.results.length} rows done (${ran} run now${failed}, ${outcome.resumed} resumed) ${where} ` +
    `in ${(wallMs / 1000).toFixed(2)} s. Artifacts in ${out}/: ${outcome.files.map((f) => f.slice(out.length + 1)).join(", ")}`);
}

/** Per workload × deployment: each scheduler, cache size, rate (and fleet)'s p99 TTFT and TPOT, throughput and goodput (means over seeds). */
function servingTables(outcome: ServingSweepOutcome): string {
  const groups = [...new Set(outcome.summary.map((r) => `${r.workload} · ${r.deployment}`))];
  const mean = (r: ServingSweepOutcome["summary"][number], m: string, scale = 1, digits = 1) => {
    const s = r.stats[m];
    return s === undefined || Number.isNaN(s.mean) ? "–" : (s.mean * scale).toFixed(digits);
  };
  // A fleet sweep's rows name their fleet too.
  const fleets = outcome.summary.some((r) => r.instances !== undefined);
  const fleetHeader = fleets ? ["instances", "router", "sessions"] : [];
  return groups.map((g) => {
    const rows = outcome.summary.filter((r) => `${r.workload} · ${r.deployment}` === g);
    return `\n${g} — simulated, means over seeds\n` + table(["scheduler", "kv blocks", "QPS", ...fleetHeader, "p99 TTFT ms", "p99 TPOT ms", "output tok/s", "goodput %", "preemptions"],
      rows.map((r) => [r.scheduler, r.kvBlocks === null ? "planned" : String(r.kvBlocks), r.qps === null ? "given" : String(r.qps),
        ...(fleets ? [String(r.instances), r.router!, r.sessionAffinity!] : []), mean(r, "ttft.p99", 1000),
        mean(r, "tpot.p99", 1000), mean(r, "throughput.outputTokensPerS", 1, 0), mean(r, "goodput.attainment", 100), mean(r, "preemptions", 1, 0)]));
  }).join("\n");
}

export function sweepCommand(): Command {
  return new Command("sweep")
    .description("run a parameter sweep (spec file or preset) on worker threads; writes results.jsonl/.csv, summary.csv, SVG charts, run_metadata.json")
    .argument("[spec]", "sweep spec JSON file (see docs/sweeps.md)")
    .option("--preset <name>", `built-in sweep: ${SWEEP_PRESETS.map((p) => p.name).join(", ")}`)
    .option("--traces <file>", "with --preset: read the workloads from a kv-hierarchy-lab traces.json instead of generating them")
    .requiredOption("--out <dir>", "artifact directory")
    .option("--threads <n>", "worker threads (default: available parallelism)", parseIntInRange("--threads", 1, 1_024))
    .option("--backend <url>", `run the batches as BullMQ jobs on this Redis (redis://[:password@]HOST:PORT/DB, rediss:// for TLS; "redis" reads $${REDIS_URL_ENV}) for kvsim worker processes to execute`)
    .option("--resume", "keep the rows already in <out>/results.jsonl and run only the missing ones")
    .option("--no-charts", "skip the SVG charts")
    .option("--json", "print the outcome as JSON instead of tables")
    .addHelpText("after", `\nPresets:\n${SWEEP_PRESETS.map((p) => `  ${p.name.padEnd(22)}${p.summary}`).join("\n")}\n\n` +
      "Exit codes: 0 all rows done, 1 some rows failed (listed), 2 bad input, 130 interrupted (rerun with --resume).")
    .action(async (specFile: string | undefined, opts: SweepCliOptions) => {
      if ((specFile === undefined) === (opts.preset === undefined)) throw new KvsimInputError("give a spec file or --preset NAME (exactly one)");
      if (opts.traces && !opts.preset) throw new KvsimInputError("--traces only applies to --preset");
      if (opts.backend !== undefined && opts.threads !== undefined) throw new KvsimInputError("--threads applies to local sweeps; with --backend the workers' --concurrency sets the parallelism");
      const backend = opts.backend === undefined ? undefined : redisUrlOption(opts.backend, "--backend");
      checkOutputDir(opts.out, "--out");
      let origin: SpecOrigin;
      let spec;
      if (opts.preset) {
        origin = { source: `preset ${opts.preset}`, baseDir: process.cwd() };
        spec = parseSweepSpec(sweepPreset(opts.preset).spec(opts.traces), origin.source);
      } else {
        origin = originOf(specFile!);
        const value = readJsonFile(specFile!);
        if (isServingSweep(value)) return servingSweep(parseServingSweepSpec(value, specFile!), origin, opts, backend);
        spec = parseSweepSpec(value, specFile!);
      }
      const plan = await planSweep(spec, origin);
      await runAndReport(plan.name, plan.rows.length, opts, (signal, onProgress) => runSweep(plan, {
        outDir: opts.out, threads: opts.threads, resume: opts.resume, charts: opts.charts, signal, backend, onProgress,
        onNotice: (message) => console.error(`kvsim: ${message}`),
      }), (outcome: SweepOutcome) => report(outcome, finalTables(outcome.summary), outcome.timing.jobs, outcome.timing.wallMs, opts.out));
    });
}

/** What both kinds of sweep report when they end. */
interface Ended {
  status: string;
  results: unknown[];
  failures: SweepFailure[];
  resumed: number;
  threads: number;
  files: string[];
}

/**
 * Runs a sweep with a progress bar (unless --json) and Ctrl-C as an interrupt, then reports it:
 * exit 130 when interrupted, the outcome as JSON or by `print`, exit 1 when a row failed.
 */
async function runAndReport<O extends Ended>(name: string, rows: number, opts: SweepCliOptions,
  run: (signal: AbortSignal, onProgress: (p: SweepProgress) => void) => Promise<O>, print: (outcome: O) => void): Promise<void> {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once("SIGINT", onSigint);
  const progress = opts.json ? undefined : progressReporter(name, rows);
  let outcome: O;
  try {
    outcome = await run(controller.signal, (p) => progress?.update({ ...p, done: p.done + (rows - p.total), total: rows }));
  } finally {
    progress?.stop();
    process.removeListener("SIGINT", onSigint);
  }
  if (outcome.status === "interrupted") {
    console.error(`kvsim: interrupted; ${outcome.results.length} of ${rows} rows are in ${opts.out}/results.jsonl — rerun with --resume`);
    throw new ExitStatus(130);
  }
  if (opts.json) {
    console.log(JSON.stringify({ status: outcome.status, rows: outcome.results.length, resumed: outcome.resumed,
      failures: outcome.failures, threads: outcome.threads, files: outcome.files }));
  } else {
    print(outcome);
  }
  if (outcome.failures.length) throw new ExitStatus(1);
}

/** `kvsim sweep` of a `"kind": "serving"` spec: timed serving runs on worker threads or Redis workers (docs/sweeps.md). */
async function servingSweep(spec: ReturnType<typeof parseServingSweepSpec>, origin: SpecOrigin, opts: SweepCliOptions, backend: string | undefined): Promise<void> {
  const plan = await planServingSweep(spec, origin);
  await runAndReport(plan.name, plan.rows.length, opts, (signal, onProgress) => runServingSweep(plan, {
    outDir: opts.out, threads: opts.threads, resume: opts.resume, charts: opts.charts, signal, onProgress, backend,
    onNotice: (message) => console.error(`kvsim: ${message}`),
  }), (outcome) => report(outcome, servingTables(outcome), outcome.results.length - outcome.resumed + outcome.failures.length, outcome.wallMs, opts.out));
}
