import { Command } from "commander";
import { KvsimInputError } from "../errors.js";
import type { SpecOrigin } from "../sweep/plan.js";
import { originOf, planSweep } from "../sweep/plan-files.js";
import { sweepPreset, SWEEP_PRESETS } from "../sweep/presets.js";
import { runSweep, type SweepOutcome } from "../sweep/run-sweep.js";
import { redisUrlOption, REDIS_URL_ENV } from "../sweep/remote/redis-url.js";
import { parseSweepSpec, readSweepSpec } from "../sweep/spec.js";
import type { SummaryRow } from "../sweep/summary.js";
import { ExitStatus } from "./exit-status.js";
import { table } from "./format.js";
import { parsePositiveInt } from "./options.js";
import { progressReporter } from "./progress.js";

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
    return `\n${scenario} — simulated hit rate % (mean over seeds) and mean avg latency (ms)\n` +
      table(["policy", ...workloads, "latency ms"], body);
  }).join("\n");
}

function report(outcome: SweepOutcome, out: string): void {
  console.log(finalTables(outcome.summary));
  for (const f of outcome.failures) console.error(`kvsim: row ${f.row} (${f.key}) failed: ${f.error}`);
  const ran = outcome.timing.jobs;
  const where = outcome.threads ? `on ${outcome.threads} thread(s)` : "on remote workers";
  console.log(`\n${outcome.results.length} rows (${ran} run now, ${outcome.resumed} resumed) ${where} ` +
    `in ${(outcome.timing.wallMs / 1000).toFixed(2)} s. Artifacts in ${out}/: ${outcome.files.map((f) => f.slice(out.length + 1)).join(", ")}`);
}

export function sweepCommand(): Command {
  return new Command("sweep")
    .description("run a parameter sweep (spec file or preset) on worker threads; writes results.jsonl/.csv, summary.csv, SVG charts, run_metadata.json")
    .argument("[spec]", "sweep spec JSON file (see docs/sweeps.md)")
    .option("--preset <name>", `built-in sweep: ${SWEEP_PRESETS.map((p) => p.name).join(", ")}`)
    .option("--traces <file>", "with --preset: read the workloads from a kv-hierarchy-lab traces.json instead of generating them")
    .requiredOption("--out <dir>", "artifact directory")
    .option("--threads <n>", "worker threads (default: available parallelism)", parsePositiveInt("--threads"))
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
      let origin: SpecOrigin;
      let spec;
      if (opts.preset) {
        origin = { source: `preset ${opts.preset}`, baseDir: process.cwd() };
        spec = parseSweepSpec(sweepPreset(opts.preset).spec(opts.traces), origin.source);
      } else {
        origin = originOf(specFile!);
        spec = readSweepSpec(specFile!);
      }
      const plan = await planSweep(spec, origin);
      const controller = new AbortController();
      const onSigint = () => controller.abort();
      process.once("SIGINT", onSigint);
      const progress = opts.json ? undefined : progressReporter(plan.name, plan.rows.length);
      let outcome: SweepOutcome;
      try {
        outcome = await runSweep(plan, {
          outDir: opts.out, threads: opts.threads, resume: opts.resume, charts: opts.charts, signal: controller.signal, backend,
          onNotice: (message) => console.error(`kvsim: ${message}`),
          onProgress: (p) => progress?.update({ ...p, done: p.done + (plan.rows.length - p.total), total: plan.rows.length }),
        });
      } finally {
        progress?.stop();
        process.removeListener("SIGINT", onSigint);
      }
      if (outcome.status === "interrupted") {
        console.error(`kvsim: interrupted; ${outcome.results.length} of ${plan.rows.length} rows are in ${opts.out}/results.jsonl — rerun with --resume`);
        throw new ExitStatus(130);
      }
      if (opts.json) {
        console.log(JSON.stringify({ status: outcome.status, rows: outcome.results.length, resumed: outcome.resumed,
          failures: outcome.failures, threads: outcome.threads, files: outcome.files }));
      } else {
        report(outcome, opts.out);
      }
      if (outcome.failures.length) throw new ExitStatus(1);
    });
}
