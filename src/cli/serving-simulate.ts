import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { Command, Option } from "commander";
import { KvsimInputError } from "../errors.js";
import { ArtifactWriter } from "../timed/artifacts.js";
import type { RunSink } from "../timed/engine-run.js";
import { GPUS, gpuPreset } from "../timed/gpus.js";
import { MODELS, resolveModel } from "../timed/models.js";
import { readProfileTables } from "../timed/profile-tables.js";
import type { ServingRequest } from "../timed/requests.js";
import {
  SCHEDULERS, servingKvBlocks, simulateServing, simulateServingStream, type Distribution, type SchedulerName, type ServingSummary,
} from "../timed/simulate.js";
import { SERVING_TRACE_FORMATS, readServingTrace, type ServingTraceFormat } from "../timed/trace-formats.js";
import { syntheticStream, type SyntheticWorkloadInput } from "../timed/workloads.js";
import { SERVING_CACHE_POLICIES } from "../envs/serving/serving-env.js";
import { readJsonFile } from "../json-file.js";
import { table } from "./format.js";
import { requestProgress } from "./progress.js";
import { parseFraction, parseNonNegativeInt, parsePositiveInt, parsePositiveNumber } from "./options.js";

interface SimulateOptions {
  trace?: string;
  traceFormat: ServingTraceFormat | "auto";
  workload?: string;
  qps?: number;
  requests?: number;
  seed: number;
  model: string;
  gpu: string;
  tp: number;
  scheduler: SchedulerName;
  timeModel: string;
  kvBlocks?: number;
  gpuMemoryUtilization: number;
  blockSize: number;
  maxNumSeqs?: number;
  maxBatchedTokens?: number;
  chunkSize: number;
  prefixCaching: boolean;
  eviction: string;
  sloTtftMs?: number;
  sloTpotMs?: number;
  out?: string;
  json?: boolean;
}

/**
 * The requests: a trace file (read whole), or a synthetic workload spec (JSON) with --qps and
 * --requests overriding its own, drawn as the simulation takes them. `total` sizes the progress bar.
 */
function requestsOf(opts: SimulateOptions): { requests: Iterable<ServingRequest>; total: number; inOrder: boolean } {
  if ((opts.trace === undefined) === (opts.workload === undefined)) throw new KvsimInputError("give either --trace FILE or --workload SPEC.json");
  if (opts.trace !== undefined) {
    if (opts.qps !== undefined || opts.requests !== undefined) throw new KvsimInputError("--qps and --requests shape a --workload; a --trace has its own arrivals");
    const requests = readServingTrace(opts.trace, opts.traceFormat);
    return { requests, total: requests.length, inOrder: requests.every((r, i) => i === 0 || r.arrival >= requests[i - 1]!.arrival) };
  }
  const spec = readJsonFile(opts.workload!) as SyntheticWorkloadInput;
  const arrivals = spec && typeof spec === "object" && spec.arrivals && typeof spec.arrivals === "object" ? spec.arrivals : undefined;
  const merged = {
    ...spec,
    ...(opts.requests !== undefined ? { requests: opts.requests } : {}),
    ...(opts.qps !== undefined && arrivals ? { arrivals: { ...arrivals, qps: opts.qps } } : {}),
  };
  const requests = syntheticStream(merged, opts.seed, opts.workload);
  return { requests, total: merged.requests as number, inOrder: true };
}

/** Makes `dir` (or checks it is one) before any work, so a bad --out fails first. */
function prepareOut(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    if (!statSync(dir).isDirectory()) throw new Error("not a directory");
  } catch (err) {
    throw new KvsimInputError(`--out ${dir}: cannot write there (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

const ms = (x: number): string => (Number.isNaN(x) ? "–" : (x * 1000).toFixed(1));

const SUMMARY_SHAPE = "{scheduler, timeModel, model, gpu, requests, kvBlocks, ttft, tpot, itl, e2e (each {p50, p90, p99, mean, max} in s), " +
  "throughput {inputTokensPerS, outputTokensPerS, requestsPerS}, goodput ({slo, requestsPerS, attainment} or null), preemptions, prefixHitTokens, " +
  "iterations, meanBatchSize, meanTokensPerIteration, kvUtilization {mean, peak}, simulationMs}";

/** `kvsim serving simulate`: a timed serving simulation of a request trace or a synthetic workload. */
export function simulateCommand(): Command {
  return new Command("simulate")
    .description("simulate serving requests on a model and GPU, iteration by iteration: TTFT, TPOT, E2E, throughput, goodput (all simulated; docs/timed.md)")
    .option("--trace <file>", "requests from a trace: Vidur's CSV, Mooncake JSONL or Azure CSV (docs/formats.md)")
    .addOption(new Option("--trace-format <format>", "the trace's format").choices(["auto", ...SERVING_TRACE_FORMATS]).default("auto"))
    .option("--workload <spec.json>", "a synthetic workload spec (docs/formats.md), instead of --trace")
    .option("--qps <q>", "with --workload: requests (or sessions) per second, overriding the spec's", parsePositiveNumber("--qps"))
    .option("--requests <n>", "with --workload: how many requests, overriding the spec's", parsePositiveInt("--requests"))
    .option("--seed <n>", "with --workload: the seed of its random draws", parseNonNegativeInt("--seed"), 0)
    .requiredOption("--model <name|config.json>", `model preset (${MODELS.map((m) => m.name).join(", ")}) or a Hugging Face config.json`)
    .addOption(new Option("--gpu <name>", "GPU preset").choices(GPUS.map((g) => g.name)).makeOptionMandatory())
    .option("--tp <n>", "tensor parallelism: GPUs the model is split over", parsePositiveInt("--tp"), 1)
    .addOption(new Option("--scheduler <name>", "vllm (vLLM v1's), or Vidur's vidur-vllm or sarathi").choices([...SCHEDULERS]).default("vllm"))
    .option("--time-model <roofline|dir>", "roofline, or a directory of per-operation tables in Vidur's predictor-table format (the profile model)", "roofline")
    .option("--kv-blocks <n>", "KV blocks (default: vllm plans GPU memory as vLLM does; Vidur's schedulers use Vidur's planner)", parsePositiveInt("--kv-blocks"))
    .option("--gpu-memory-utilization <f>", "vllm: share of each GPU's memory to use", parseFraction("--gpu-memory-utilization"), 0.9)
    .option("--block-size <n>", "tokens per KV block", parsePositiveInt("--block-size"), 16)
    .option("--max-num-seqs <n>", "requests in flight at most (default: vllm 256, Vidur's 128)", parsePositiveInt("--max-num-seqs"))
    .option("--max-batched-tokens <n>", "vllm: tokens per iteration (default 8192); vidur-vllm: padded tokens per prefill batch (default 4096)", parsePositiveInt("--max-batched-tokens"))
    .option("--chunk-size <n>", "sarathi: tokens per batch, decodes included", parsePositiveInt("--chunk-size"), 512)
    .option("--no-prefix-caching", "vllm: never reuse cached blocks across requests")
    .addOption(new Option("--eviction <policy>", "vllm: which free cached block the pool evicts (lru is vLLM's)").choices([...SERVING_CACHE_POLICIES]).default("lru"))
    .option("--slo-ttft-ms <ms>", "goodput: a request's TTFT SLO", parsePositiveNumber("--slo-ttft-ms"))
    .option("--slo-tpot-ms <ms>", "goodput: a request's TPOT SLO", parsePositiveNumber("--slo-tpot-ms"))
    .option("--out <dir>", "write requests.csv, iterations.csv, summary.json and charts (latency-cdf.svg, kv-usage.svg, batch-size.svg) there")
    .option("--json", `print the summary as JSON: ${SUMMARY_SHAPE}`)
    .action(async (opts: SimulateOptions) => {
      const model = resolveModel(opts.model);
      const gpu = gpuPreset(opts.gpu);
      if (opts.scheduler === "vllm" && opts.chunkSize !== 512) throw new KvsimInputError("--chunk-size is sarathi's; vllm chunks prefills to --max-batched-tokens");
      if (opts.scheduler !== "vllm" && (!opts.prefixCaching || opts.eviction !== "lru")) throw new KvsimInputError(`--no-prefix-caching and --eviction are vllm's; ${opts.scheduler} has no prefix cache`);
      if (opts.out) prepareOut(opts.out);
      const { requests, total, inOrder } = requestsOf(opts);
      const timeModel = opts.timeModel === "roofline" ? undefined : readProfileTables(opts.timeModel);
      const slo = { ...(opts.sloTtftMs !== undefined ? { ttftS: opts.sloTtftMs / 1000 } : {}), ...(opts.sloTpotMs !== undefined ? { tpotS: opts.sloTpotMs / 1000 } : {}) };
      const options = {
        model, gpu, tensorParallel: opts.tp, scheduler: opts.scheduler, timeModel, kvBlocks: opts.kvBlocks,
        gpuMemoryUtilization: opts.gpuMemoryUtilization, blockSize: opts.blockSize, maxNumSeqs: opts.maxNumSeqs,
        maxBatchedTokens: opts.maxBatchedTokens, chunkSize: opts.chunkSize, prefixCaching: opts.prefixCaching, eviction: opts.eviction, slo,
      };
      const writer = opts.out ? new ArtifactWriter(opts.out, servingKvBlocks(options)) : undefined;
      const sink: RunSink = writer ?? { request: () => {}, iteration: () => {} };
      const progress = opts.json ? undefined : requestProgress("simulating", total);
      let s: ServingSummary;
      try {
        if (inOrder) {
          s = simulateServingStream({ ...options, requests, onProgress: progress?.update }, sink);
        } else {
          // A trace out of arrival order runs whole: its rows keep their ids (the input order).
          const sim = simulateServing({ ...options, requests: requests as ServingRequest[] });
          sim.requests.forEach((r) => sink.request(r));
          sim.iterations.forEach((i) => sink.iteration(i));
          s = sim.summary;
        }
      } catch (err) {
        writer?.discard();
        throw err;
      } finally {
        progress?.stop();
      }
      const written = writer ? await writer.finish(s) : [];
      if (opts.json) return console.log(JSON.stringify(s));
      console.log(`${s.requests} requests, ${s.model} on ${opts.tp > 1 ? `${opts.tp} × ` : ""}${s.gpu}, ${s.scheduler} timed by ${s.timeModel}, ${s.kvBlocks} KV blocks: ` +
        `${s.iterations} iterations, ${s.preemptions} preemptions, ${s.prefixHitTokens} prefix-hit tokens (simulated; simulation took ${s.simulationMs.toFixed(1)} ms)`);
      const row = (name: string, d: Distribution) => [name, ms(d.p50), ms(d.p90), ms(d.p99), ms(d.mean)];
      console.log(table(["ms", "p50", "p90", "p99", "mean"], [row("TTFT", s.ttft), row("TPOT", s.tpot), row("ITL", s.itl), row("E2E", s.e2e)]));
      console.log(`throughput: ${s.throughput.requestsPerS.toFixed(2)} requests/s, ${s.throughput.inputTokensPerS.toFixed(0)} input and ` +
        `${s.throughput.outputTokensPerS.toFixed(0)} output tokens/s; KV use mean ${(s.kvUtilization.mean * 100).toFixed(1)}%, peak ${(s.kvUtilization.peak * 100).toFixed(1)}%`);
      if (s.goodput) console.log(`goodput: ${s.goodput.requestsPerS.toFixed(2)} requests/s meet the SLOs (${(s.goodput.attainment * 100).toFixed(1)}% of requests)`);
      if (opts.out) console.log(`wrote ${written.map((f) => join(opts.out!, f)).join(", ")}`);
    });
}
