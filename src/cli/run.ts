import { Command, Option } from "commander";
import { KvsimInputError } from "../errors.js";
import { resolveScenario } from "../hierarchy/load-scenario.js";
import { PROFILES, type Profile } from "../policies/registry.js";
import { runRecord, type RunRecord } from "../run-record.js";
import { readTrace, TRACE_FORMATS } from "../traces/load.js";
import { withUnitPages } from "../traces/trace.js";
import type { CsvLayout } from "../traces/formats/csv-layout.js";
import { generateWorkload } from "../workloads/registry.js";
import { collectKeyValue, once, parseIntInRange, parseSeed, traceParamsOption } from "./options.js";
import { fixed, table } from "./format.js";

interface RunOptions {
  scenario: string;
  workload?: string;
  workloadParam?: Record<string, string>;
  trace?: string;
  traceFormat?: string;
  traceIndex: number;
  traceParams?: CsvLayout;
  ignoreObjSize?: boolean;
  policy: string;
  param?: Record<string, string>;
  profile: Profile;
  seed: number;
  events: number;
  json?: boolean;
}

export function runCommand(): Command {
  return new Command("run")
    .description("replay one workload or trace through one policy and print its metrics (all figures simulated)")
    .requiredOption("--scenario <name|file.json>", "a preset (see `kvsim scenarios`) or a scenario JSON file", once("--scenario"))
    .option("--workload <name>", "a built-in synthetic workload (see `kvsim workloads`)", once("--workload"))
    .option("--workload-param <k=v>", "workload parameter, repeatable (e.g. length=1000)", collectKeyValue)
    .option("--trace <file>", "a trace file instead of a workload", once("--trace"))
    .addOption(new Option("--trace-format <format>", "trace file format (default: from the file name)").choices([...TRACE_FORMATS]))
    .option("--trace-index <n>", "which trace of a multi-trace file", parseIntInRange("--trace-index", 0, 1_000_000), 0)
    .addOption(traceParamsOption())
    .option("--ignore-obj-size", "every page counts as one byte, so tier capacities count pages (libCacheSim's --ignore-obj-size)")
    .requiredOption("--policy <name>", "eviction policy (see `kvsim policies`)", once("--policy"))
    .option("--param <k=v>", "policy parameter, repeatable (e.g. window_size=64)", collectKeyValue)
    .addOption(new Option("--profile <profile>", "kvsim: correct semantics; khl: kv-hierarchy-lab parity; libcachesim: kvsim with libCacheSim's definition of every policy that has one").choices([...PROFILES]).default("kvsim"))
    .option("--seed <n>", "seed for every random choice of the run", parseSeed("--seed"), 0)
    .option("--events <n>", "also report the first n transfers [step, type, page, src, dst, latencyMs, bytes] (at most 10,000,000)",
      parseIntInRange("--events", 0, 10_000_000), 0)
    .option("--json", "print one JSON object instead of a table")
    .addHelpText("after", `
Scenario file (JSON):
  { "name": "mine", "quantization": "fp16" | "fp8" | "int4" | "int2",
    "prefetch": false | true | { "enabled": true, "maxCandidates": 2 },
    "pageScalars": 1048576,            (optional: every page has this many scalars)
    "tiers": [ { "name": "hbm", "capacityBytes": 64000, "readLatencyMs": 0.02,
                 "writeLatencyMs": 0.02, "bandwidthBytesPerMs": 80000 }, ... ] }   (1 to 8 tiers, fastest first)

--json prints { scenario, workload, policy, profile, params, seed, metrics: { accesses, hits, misses,
evictions, hitRate, avgLatencyMs, bytesMoved, demandBytesMoved, prefetchBytesMoved, prefetchRequests,
usefulPrefetches, wastedPrefetches, prefetchUsefulness, tierHitRate, peakFootprintBytes, coldMisses,
drops, dropBytes, totalLatencyMs, tiers[] }, elapsedMs, accessesPerSecond, events? } (accessesPerSecond
times the replay alone; events only with --events).

Examples:
  kvsim run --scenario small_fp16_prefetch --workload rag_burst --policy regret_aware
  kvsim run --scenario llama3_8b_h100 --workload zipf --workload-param pages=200000 --policy s3fifo --json
  kvsim run --scenario small_fp16_prefetch --trace traces.json --trace-index 1 --policy lru --profile khl
  kvsim run --scenario one-tier.json --trace cloudPhysicsIO.oracleGeneral.bin --ignore-obj-size --policy sieve`)
    .action(async (opts: RunOptions) => {
      const record = await execute(opts);
      console.log(opts.json ? JSON.stringify(record) : render(record));
    });
}

async function execute(opts: RunOptions): Promise<RunRecord> {
  if ((opts.workload === undefined) === (opts.trace === undefined)) {
    throw new KvsimInputError("give exactly one of --workload and --trace");
  }
  const scenario = resolveScenario(opts.scenario);
  const read = opts.workload !== undefined
    ? generateWorkload(opts.workload, opts.workloadParam)
    : await readTrace(opts.trace!, opts.traceFormat, opts.traceIndex, undefined, opts.traceParams);
  const trace = opts.ignoreObjSize ? withUnitPages(read) : read;
  return runRecord({
    scenario, trace, policy: opts.policy, params: opts.param, profile: opts.profile, seed: opts.seed, eventCapacity: opts.events,
  });
}

function render(r: RunRecord): string {
  const m = r.metrics;
  const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;
  const head = `${r.policy} on ${r.workload} under ${r.scenario} (profile ${r.profile}, seed ${r.seed}) — simulated`;
  const summary = table(["metric", "value"], [
    ["accesses", m.accesses], ["hits", m.hits], ["misses", m.misses], ["hit rate", pct(m.hitRate)],
    ["avg latency (ms/access)", fixed(6)(m.avgLatencyMs)], ["evictions", m.evictions], ["bytes moved", m.bytesMoved],
    ["  demand", m.demandBytesMoved], ["  prefetch", m.prefetchBytesMoved],
    ["prefetch useful / requests", `${m.usefulPrefetches} / ${m.prefetchRequests}`],
  ]);
  const tiers = table(["tier", "hit rate", "peak bytes", "bytes in", "bytes out", "evictions"],
    m.tiers.map((t) => [t.name, pct(t.hits / Math.max(1, m.accesses)), t.peakBytes, t.bytesIn, t.bytesOut, t.evictions]));
  const speed = `replay: ${(r.accessesPerSecond / 1e6).toFixed(2)}M accesses/s; total ${r.elapsedMs.toFixed(1)} ms`;
  const events = r.events?.length
    ? ["", table(["step", "event", "page", "from", "to", "latency ms", "bytes"],
      r.events.map(([step, type, page, src, dst, lat, bytes]) => [step, type, page, src ?? "-", dst ?? "-", fixed(6)(lat), bytes]))]
    : [];
  return [head, "", summary, "", tiers, ...events, "", speed].join("\n");
}
