import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { Command, Option } from "commander";
import { KvsimInputError } from "../errors.js";
import { writeFileAtomic } from "../report/write-atomic.js";
import { simulationArtifacts } from "../timed/artifacts.js";
import { GPUS, gpuPreset } from "../timed/gpus.js";
import { MODELS, resolveModel } from "../timed/models.js";
import { readProfileTables } from "../timed/profile-tables.js";
import { readRequestsCsv } from "../timed/requests.js";
import { SCHEDULERS, simulateServing, type Distribution } from "../timed/simulate.js";
import type { VidurScheduler } from "../timed/vidur.js";
import { table } from "./format.js";
import { parsePositiveInt } from "./options.js";

interface SimulateOptions {
  trace: string;
  model: string;
  gpu: string;
  scheduler: VidurScheduler;
  timeModel: string;
  kvBlocks?: number;
  blockSize: number;
  maxNumSeqs: number;
  maxBatchedTokens: number;
  chunkSize: number;
  out?: string;
  json?: boolean;
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

/** `kvsim serving simulate`: a timed serving simulation of a request trace. */
export function simulateCommand(): Command {
  return new Command("simulate")
    .description("simulate serving a request trace on a model and GPU, iteration by iteration: TTFT, TPOT, E2E, throughput (all simulated; docs/timed.md)")
    .requiredOption("--trace <file>", "requests: CSV with the header arrival_s,prompt_tokens,output_tokens (Vidur's requests_in.csv)")
    .requiredOption("--model <name|config.json>", `model preset (${MODELS.map((m) => m.name).join(", ")}) or a Hugging Face config.json`)
    .addOption(new Option("--gpu <name>", "GPU preset").choices(GPUS.map((g) => g.name)).makeOptionMandatory())
    .addOption(new Option("--scheduler <name>", "Vidur's vLLM scheduler or Sarathi (kvsim's own vllm scheduler is still to come)").choices([...SCHEDULERS]).makeOptionMandatory())
    .requiredOption("--time-model <dir>", "per-operation timing tables in Vidur's predictor-table format (the roofline model is still to come)")
    .option("--kv-blocks <n>", "KV blocks (default: Vidur's memory planner for the model and GPU)", parsePositiveInt("--kv-blocks"))
    .option("--block-size <n>", "tokens per KV block", parsePositiveInt("--block-size"), 16)
    .option("--max-num-seqs <n>", "requests in flight at most (Vidur's batch_size_cap)", parsePositiveInt("--max-num-seqs"), 128)
    .option("--max-batched-tokens <n>", "vidur-vllm: padded tokens per prefill batch", parsePositiveInt("--max-batched-tokens"), 4096)
    .option("--chunk-size <n>", "sarathi: tokens per batch, decodes included", parsePositiveInt("--chunk-size"), 512)
    .option("--out <dir>", "write requests.csv, iterations.csv and summary.json there")
    .option("--json", "print the summary as JSON: {scheduler, model, gpu, requests, kvBlocks, ttft, tpot, itl, e2e (each {p50, p90, p99, mean, max} in s), throughput, preemptions, iterations, meanBatchSize, meanTokensPerIteration, kvUtilization, simulationMs}")
    .action((opts: SimulateOptions) => {
      const model = resolveModel(opts.model);
      const gpu = gpuPreset(opts.gpu);
      if (opts.out) prepareOut(opts.out);
      const requests = readRequestsCsv(opts.trace);
      const timeModel = readProfileTables(opts.timeModel);
      const sim = simulateServing({
        requests, model, gpu, scheduler: opts.scheduler, timeModel, kvBlocks: opts.kvBlocks, blockSize: opts.blockSize,
        maxNumSeqs: opts.maxNumSeqs, maxBatchedTokens: opts.maxBatchedTokens, chunkSize: opts.chunkSize,
      });
      if (opts.out) for (const [name, text] of Object.entries(simulationArtifacts(sim))) writeFileAtomic(join(opts.out, name), text);
      const s = sim.summary;
      if (opts.json) return console.log(JSON.stringify(s));
      console.log(`${s.requests} requests, ${s.model} on ${s.gpu}, ${s.scheduler}, ${s.kvBlocks} KV blocks: ${s.iterations} iterations, ` +
        `${s.preemptions} preemptions (simulated; simulation took ${s.simulationMs.toFixed(1)} ms)`);
      const row = (name: string, d: Distribution) => [name, ms(d.p50), ms(d.p90), ms(d.p99), ms(d.mean)];
      console.log(table(["ms", "p50", "p90", "p99", "mean"], [row("TTFT", s.ttft), row("TPOT", s.tpot), row("ITL", s.itl), row("E2E", s.e2e)]));
      console.log(`throughput: ${s.throughput.requestsPerS.toFixed(2)} requests/s, ${s.throughput.inputTokensPerS.toFixed(0)} input and ` +
        `${s.throughput.outputTokensPerS.toFixed(0)} output tokens/s; KV use mean ${(s.kvUtilization.mean * 100).toFixed(1)}%, peak ${(s.kvUtilization.peak * 100).toFixed(1)}%`);
      if (opts.out) console.log(`wrote ${opts.out}/requests.csv, iterations.csv, summary.json`);
    });
}
