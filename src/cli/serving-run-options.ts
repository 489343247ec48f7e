import { Command, Option } from "commander";
import { KvsimInputError } from "../errors.js";
import { BLOCK_POLICIES } from "../wasm/block-eviction.js";
import { readJsonFile } from "../json-file.js";
import { GPUS, gpuPreset } from "../timed/gpus.js";
import { MODELS, resolveModel } from "../timed/models.js";
import { readProfileTables } from "../timed/profile-tables.js";
import type { ServingRequest } from "../timed/requests.js";
import { MAX_KV_BLOCKS } from "../timed/deployment.js";
import { HOST_LINKS, HOST_LOADS, LOAD_OVERLAPS, parseHostLink, PREEMPTIONS, type HostLoad, type HostTierOptions, type LoadOverlap, type Preemption } from "../timed/host-tier.js";
import { DISK_LINKS, parseDiskLink } from "../timed/disk-tier.js";
import { CACHE_MODELS, SCHEDULERS, type CacheModel, type SchedulerName, type SimulateServingOptions } from "../timed/simulate.js";
import { SERVING_TRACE_FORMATS, readServingTrace, type ServingTraceFormat } from "../timed/trace-formats.js";
import type { SyntheticWorkloadInput } from "../timed/workloads.js";
import { parseFraction, parseIntInRange, parseSeed, parseShare } from "./options.js";

/** The flags every timed serving command takes: where requests come from, the deployment and the scheduler. */
export interface ServingRunFlags {
  trace?: string;
  traceFormat: ServingTraceFormat | "auto";
  workload?: string;
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
  watermarkFraction?: number;
  prefixCaching: boolean;
  eviction: string;
  hostBlocks?: number;
  hostLink: string;
  offload: "write-back" | "write-through";
  cacheModel: CacheModel;
  loadOverlap: LoadOverlap;
  preemption: Preemption;
  hostLoad: HostLoad;
  hostEviction?: string;
  diskBlocks?: number;
  diskLink: string;
  diskOffload: "write-back" | "write-through";
  diskEviction?: string;
  diskShared?: boolean;
  maxOutputTokens?: number;
}

/** Adds the flags of `ServingRunFlags` to a command (`serving simulate`, `serving capacity`). */
export function addServingRunOptions(cmd: Command): Command {
  return cmd
    .option("--trace <file>", "requests from a trace: Vidur's CSV, Mooncake JSONL or Azure CSV (docs/formats.md)")
    .addOption(new Option("--trace-format <format>", "the trace's format").choices(["auto", ...SERVING_TRACE_FORMATS]).default("auto"))
    .option("--workload <spec.json>", "a synthetic workload spec (docs/formats.md), instead of --trace")
    .option("--requests <n>", "with --workload: how many requests, overriding the spec's", parseIntInRange("--requests", 1, 100_000_000))
    .option("--seed <n>", "with --workload: the seed of its random draws", parseSeed("--seed"), 0)
    .option("--max-output-tokens <n>", "with --trace: cap every request's output at this many tokens (vLLM's max_tokens)", parseIntInRange("--max-output-tokens", 1, 100_000_000))
    .requiredOption("--model <name|config.json>", `model preset (${MODELS.map((m) => m.name).join(", ")}) or a Hugging Face config.json`)
    .addOption(new Option("--gpu <name>", "GPU preset").choices(GPUS.map((g) => g.name)).makeOptionMandatory())
    .option("--tp <n>", "tensor parallelism: GPUs the model is split over", parseIntInRange("--tp", 1, 64), 1)
    .addOption(new Option("--scheduler <name>", "vllm (vLLM v1's), or Vidur's vidur-vllm or sarathi").choices([...SCHEDULERS]).default("vllm"))
    .option("--time-model <roofline|dir>", "roofline, or a directory of per-operation tables in Vidur's predictor-table format (the profile model)", "roofline")
    .option("--kv-blocks <n>", "KV blocks (default: vllm plans GPU memory as vLLM does; Vidur's schedulers use Vidur's planner)", parseIntInRange("--kv-blocks", 1, MAX_KV_BLOCKS))
    .option("--gpu-memory-utilization <f>", "vllm: share of each GPU's memory to use", parseFraction("--gpu-memory-utilization"), 0.9)
    .option("--block-size <n>", "tokens per KV block", parseIntInRange("--block-size", 1, 4_096), 16)
    .option("--max-num-seqs <n>", "requests in flight at most (default: vllm 256, Vidur's 128)", parseIntInRange("--max-num-seqs", 1, 65_536))
    .option("--max-batched-tokens <n>", "vllm: tokens per iteration (default 8192); vidur-vllm: padded tokens per prefill batch (default 4096)", parseIntInRange("--max-batched-tokens", 1, 2 ** 24))
    .option("--chunk-size <n>", "sarathi: tokens per batch, decodes included", parseIntInRange("--chunk-size", 1, 2 ** 24), 512)
    .option("--watermark-fraction <f>", "Vidur's schedulers: share of the KV blocks kept free from new admissions (default 0.01)", parseShare("--watermark-fraction"))
    .option("--no-prefix-caching", "vllm: never reuse cached blocks across requests")
    .addOption(new Option("--eviction <policy>", "vllm: which free cached block the pool evicts (lru is vLLM's; belady reads the trace's future, docs/model.md)").choices([...BLOCK_POLICIES]).default("lru"))
    .option("--host-blocks <n>", "vllm: a host (CPU DRAM) tier of this many blocks below the GPU; prefixes found there are loaded over the link, not computed (docs/model.md)", parseIntInRange("--host-blocks", 1, MAX_KV_BLOCKS))
    .option("--host-link <link|GB/s>", `with --host-blocks: the GPU–host link, ${Object.keys(HOST_LINKS).join(" or ")}, or a bandwidth in GB/s each way (10 µs per transfer)`, "pcie4")
    .addOption(new Option("--offload <when>", "with --host-blocks: copy a block to the host when the GPU evicts it, or as soon as it is full").choices(["write-back", "write-through"]).default("write-back"))
    .addOption(new Option("--load-overlap <how>", "with --host-blocks: a request waits for its whole prefix to load (none, vLLM's), or loads it layer by layer under its compute (layerwise; docs/model.md)").choices([...LOAD_OVERLAPS]).default("none"))
    .addOption(new Option("--preemption <how>", "with --host-blocks: a preempted request's blocks are freed and recomputed (recompute, vLLM v1's), or copied to the host tier and back (swap, vLLM v0's)").choices([...PREEMPTIONS]).default("recompute"))
    .addOption(new Option("--host-load <when>", "with --host-blocks: load a prefix found in the host always, or only if that is estimated faster than computing it (if-faster; docs/model.md)").choices([...HOST_LOADS]).default("always"))
    .addOption(new Option("--host-eviction <policy>", "with --host-blocks: which free cached block the host tier evicts (default: --eviction's policy)").choices([...BLOCK_POLICIES]))
    .option("--disk-blocks <n>", "with --host-blocks: a disk tier (local disk or a remote store) of this many blocks below the host tier; prefixes found there come up through the host (docs/model.md)", parseIntInRange("--disk-blocks", 1, MAX_KV_BLOCKS))
    .option("--disk-link <link|GB/s>", `with --disk-blocks: the host–disk link, ${Object.keys(DISK_LINKS).join(", ")}, or a bandwidth in GB/s each way (NVMe latencies)`, "nvme4")
    .addOption(new Option("--disk-offload <when>", "with --disk-blocks: copy a block to disk when the host tier evicts it, or as soon as it enters the host tier").choices(["write-back", "write-through"]).default("write-back"))
    .addOption(new Option("--disk-eviction <policy>", "with --disk-blocks: which free cached block the disk tier evicts (default: the host tier's policy)").choices([...BLOCK_POLICIES]))
    .option("--disk-shared", "with --disk-blocks and --instances: the disk tier is one store of --disk-blocks blocks every instance reads and writes (a remote store such as Mooncake Store), each over its own link (docs/model.md)")
    .addOption(new Option("--cache-model <model>", "vllm: what the block pool caches and shares: vLLM's rules, or a block replay's (a prompt's partly filled last block cached, every block found shared, blocks freed first to last; docs/timed.md)").choices([...CACHE_MODELS]).default("vllm"));
}

/**
 * The deployment, scheduler and time model the flags give, checked (an option of another
 * scheduler is an input error); the requests and SLOs are the command's own. `fleet`: the run
 * has instances (only they can share a disk tier).
 */
export function servingRunOptions(f: ServingRunFlags, fleet = false): Omit<SimulateServingOptions, "requests"> {
  if (f.scheduler === "vllm" && f.chunkSize !== 512) throw new KvsimInputError("--chunk-size is sarathi's; vllm chunks prefills to --max-batched-tokens");
  if (f.scheduler !== "vllm" && (!f.prefixCaching || f.eviction !== "lru")) throw new KvsimInputError(`--no-prefix-caching and --eviction are vllm's; ${f.scheduler} has no prefix cache`);
  if (f.scheduler === "vllm" && f.watermarkFraction !== undefined) throw new KvsimInputError("--watermark-fraction is Vidur's schedulers'; vllm keeps no watermark");
  if (f.hostBlocks === undefined && (f.hostLink !== "pcie4" || f.offload !== "write-back" || f.loadOverlap !== "none" || f.preemption !== "recompute" || f.hostLoad !== "always")) {
    throw new KvsimInputError("--host-link, --offload, --load-overlap, --preemption and --host-load shape a host tier: give --host-blocks");
  }
  if (f.hostBlocks === undefined && f.hostEviction !== undefined) throw new KvsimInputError("--host-eviction evicts a host tier's blocks: give --host-blocks");
  if (f.hostBlocks !== undefined && (f.scheduler !== "vllm" || !f.prefixCaching)) throw new KvsimInputError("--host-blocks needs the vllm scheduler with prefix caching");
  if (f.diskBlocks === undefined && (f.diskLink !== "nvme4" || f.diskOffload !== "write-back" || f.diskEviction !== undefined || f.diskShared)) {
    throw new KvsimInputError("--disk-link, --disk-offload, --disk-eviction and --disk-shared shape a disk tier: give --disk-blocks");
  }
  if (f.diskShared && !fleet) throw new KvsimInputError("--disk-shared is one store for a fleet's instances: give --instances N");
  if (f.diskBlocks !== undefined && f.hostBlocks === undefined) throw new KvsimInputError("--disk-blocks puts a disk tier below the host tier: give --host-blocks");
  if (f.cacheModel !== "vllm" && (f.scheduler !== "vllm" || !f.prefixCaching)) throw new KvsimInputError("--cache-model needs the vllm scheduler with prefix caching");
  return {
    model: resolveModel(f.model), gpu: gpuPreset(f.gpu), tensorParallel: f.tp, scheduler: f.scheduler,
    timeModel: f.timeModel === "roofline" ? undefined : readProfileTables(f.timeModel), kvBlocks: f.kvBlocks,
    gpuMemoryUtilization: f.gpuMemoryUtilization, blockSize: f.blockSize, maxNumSeqs: f.maxNumSeqs, maxBatchedTokens: f.maxBatchedTokens,
    chunkSize: f.chunkSize, watermarkFraction: f.watermarkFraction, prefixCaching: f.prefixCaching, eviction: f.eviction,
    ...(f.hostBlocks !== undefined ? { hostTier: hostTierOf(f, f.hostBlocks) } : {}),
    cacheModel: f.cacheModel,
  };
}

/** The host tier the flags give, and the disk tier below it with --disk-blocks. */
function hostTierOf(f: ServingRunFlags, blocks: number): HostTierOptions {
  return {
    blocks, link: parseHostLink(f.hostLink, "--host-link"), offload: f.offload, loadOverlap: f.loadOverlap, preemption: f.preemption, load: f.hostLoad, eviction: f.hostEviction,
    ...(f.diskBlocks !== undefined
      ? {
        disk: {
          blocks: f.diskBlocks, link: parseDiskLink(f.diskLink, "--disk-link"), offload: f.diskOffload, ...(f.diskEviction !== undefined ? { eviction: f.diskEviction } : {}),
          ...(f.diskShared ? { shared: true } : {}),
        },
      }
      : {}),
  };
}

/** Where the requests come from: a trace read whole, or a workload spec with --requests applied. */
export type RequestSource = { kind: "trace"; requests: ServingRequest[] } | { kind: "workload"; spec: SyntheticWorkloadInput; file: string };

export function requestSource(f: ServingRunFlags): RequestSource {
  if ((f.trace === undefined) === (f.workload === undefined)) throw new KvsimInputError("give either --trace FILE or --workload SPEC.json");
  if (f.trace === undefined && f.maxOutputTokens !== undefined) throw new KvsimInputError("--max-output-tokens caps a --trace's outputs; a --workload's spec sets its own output lengths");
  if (f.trace !== undefined) {
    if (f.requests !== undefined) throw new KvsimInputError("--requests shapes a --workload; a --trace has its own requests");
    const requests = readServingTrace(f.trace, f.traceFormat);
    const cap = f.maxOutputTokens;
    return { kind: "trace", requests: cap === undefined ? requests : requests.map((r) => (r.output > cap ? { ...r, output: cap } : r)) };
  }
  const spec = readJsonFile(f.workload!) as SyntheticWorkloadInput;
  return { kind: "workload", spec: f.requests !== undefined && spec && typeof spec === "object" ? { ...spec, requests: f.requests } : spec, file: f.workload! };
}
