import { Command, Option } from "commander";
import { MAX_KV_BLOCKS, planMemory, type Deployment } from "../timed/deployment.js";
import { GPUS, gpuPreset } from "../timed/gpus.js";
import { MODELS, parameterCount, kvBytesPerToken, resolveModel } from "../timed/models.js";
import { table } from "./format.js";
import { parseFraction, parseIntInRange } from "./options.js";

const GiB = 1024 ** 3;
const billions = (n: number): string => (n / 1e9).toFixed(2);

/** `kvsim serving models`: the model presets and what each costs. */
export function modelsCommand(): Command {
  return new Command("models")
    .description("list the model presets of the timed serving simulator (a config.json path works wherever a model is asked)")
    .option("--json", "machine-readable output")
    .action((opts: { json?: boolean }) => {
      const rows = MODELS.map((m) => ({ ...m, parameters: parameterCount(m), kvBytesPerToken: kvBytesPerToken(m) }));
      if (opts.json) return console.log(JSON.stringify(rows, null, 2));
      console.log(table(["model", "layers", "hidden", "heads / kv", "experts", "params (B)", "active (B)", "KV KiB/token", "source"],
        rows.map((m) => [m.name, m.layers, m.hiddenSize, `${m.attentionHeads} / ${m.kvHeads}`, m.experts > 1 ? `${m.expertsPerToken} of ${m.experts}` : "–",
          billions(m.parameters.total), billions(m.parameters.active), m.kvBytesPerToken / 1024, m.source])));
    });
}

/** `kvsim serving gpus`: the GPU presets with their datasheet figures. */
export function gpusCommand(): Command {
  return new Command("gpus")
    .description("list the GPU presets of the timed serving simulator (vendor datasheet figures)")
    .option("--json", "machine-readable output")
    .action((opts: { json?: boolean }) => {
      if (opts.json) return console.log(JSON.stringify(GPUS, null, 2));
      console.log(table(["gpu", "memory GiB", "dense BF16 TFLOP/s", "memory GB/s", "GPU link GB/s", "host GB/s"],
        GPUS.map((g) => [g.name, g.memoryBytes / GiB, g.denseFlops / 1e12, g.memoryBandwidth / 1e9, g.peerBandwidth / 1e9, g.hostBandwidth / 1e9])));
    });
}

interface MemoryOptions {
  model: string;
  gpu: string;
  tp: number;
  blockSize: number;
  maxBatchedTokens: number;
  maxNumSeqs: number;
  gpuMemoryUtilization: number;
  kvBlocks?: number;
  json?: boolean;
}

/** `kvsim serving memory`: where a deployment's GPU memory goes and how many KV blocks remain. */
export function memoryCommand(): Command {
  return new Command("memory")
    .description("plan a deployment's GPU memory: weights, activation reserve and the KV cache left (simulated, docs/timed.md)")
    .requiredOption("--model <name|config.json>", `model preset (${MODELS.map((m) => m.name).join(", ")}) or a Hugging Face config.json`)
    .addOption(new Option("--gpu <name>", "GPU preset").choices(GPUS.map((g) => g.name)).makeOptionMandatory())
    .option("--tp <n>", "tensor parallelism: GPUs the model is split over", parseIntInRange("--tp", 1, 64), 1)
    .option("--block-size <n>", "tokens per KV block", parseIntInRange("--block-size", 1, 4_096), 16)
    .option("--max-batched-tokens <n>", "tokens per iteration at most (sizes the activation reserve)", parseIntInRange("--max-batched-tokens", 1, 2 ** 24), 8192)
    .option("--max-num-seqs <n>", "requests per iteration at most (sizes the sampler's logits)", parseIntInRange("--max-num-seqs", 1, 65_536), 256)
    .option("--gpu-memory-utilization <f>", "share of each GPU's memory to use", parseFraction("--gpu-memory-utilization"), 0.9)
    .option("--kv-blocks <n>", "KV blocks outright, instead of what the memory leaves", parseIntInRange("--kv-blocks", 1, MAX_KV_BLOCKS))
    .option("--json", "machine-readable output")
    .action((opts: MemoryOptions) => {
      const deployment: Deployment = {
        model: resolveModel(opts.model), gpu: gpuPreset(opts.gpu), tensorParallel: opts.tp, blockSize: opts.blockSize,
        maxBatchedTokens: opts.maxBatchedTokens, maxSeqs: opts.maxNumSeqs, gpuMemoryUtilization: opts.gpuMemoryUtilization, kvBlocks: opts.kvBlocks,
      };
      const plan = planMemory(deployment);
      if (opts.json) return console.log(JSON.stringify({ model: deployment.model.name, gpu: deployment.gpu.name, tp: opts.tp, ...plan }));
      const gib = (b: number) => `${(b / GiB).toFixed(2)} GiB`;
      console.log(`${deployment.model.name} on ${opts.tp} × ${deployment.gpu.name}, per GPU (simulated plan):`);
      console.log(`  budget ${gib(plan.budgetBytes)} (${opts.gpuMemoryUtilization} of ${gib(deployment.gpu.memoryBytes)})`);
      console.log(`  weights ${gib(plan.weightBytes)}, activation reserve ${gib(plan.activationBytes)}`);
      console.log(`  KV cache ${plan.kvBlocks} blocks of ${opts.blockSize} tokens = ${plan.kvTokens} tokens` +
        ` (${(plan.kvBytesPerToken / 1024).toFixed(0)} KiB a token)${plan.explicit ? ", as given by --kv-blocks" : ""}`);
    });
}
