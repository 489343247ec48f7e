import { KvsimInputError } from "../errors.js";
import type { GpuSpec } from "./gpus.js";
import { kvBytesPerToken, parameterCount, type ModelSpec } from "./models.js";

/** How a model is served: on which GPU, split over how many, with which batch limits and KV layout. */
export interface Deployment {
  model: ModelSpec;
  gpu: GpuSpec;
  /** Tensor parallelism: weights and heads split over this many GPUs of one node. */
  tensorParallel: number;
  /** Tokens per KV block. */
  blockSize: number;
  /** vLLM's `max_num_batched_tokens` and `max_num_seqs`: they size the activation reserve. */
  maxBatchedTokens: number;
  maxSeqs: number;
  /** Share of each GPU's memory the server may use (vLLM's `gpu_memory_utilization`). */
  gpuMemoryUtilization: number;
  /** KV blocks given outright, instead of what the memory left after weights and activations holds. */
  kvBlocks?: number;
}

/** Where each GPU's memory goes (bytes per GPU), and the KV cache that results. */
export interface MemoryPlan {
  budgetBytes: number;
  weightBytes: number;
  activationBytes: number;
  /** One token's keys and values on one GPU (its share of the KV heads). */
  kvBytesPerToken: number;
  kvBlocks: number;
  kvTokens: number;
  /** True when `kvBlocks` was given, not derived. */
  explicit: boolean;
}

/** KV heads each GPU holds: its share, or one replicated head when there are more GPUs than heads (as vLLM does). */
export const kvHeadsPerGpu = (m: ModelSpec, tp: number): number => Math.max(1, Math.ceil(m.kvHeads / tp));

/**
 * The activation memory a forward pass of the largest batch needs at its peak, per GPU: vLLM
 * measures it by profiling a dummy batch of `max_num_batched_tokens`; kvsim estimates it as one
 * layer's widest live tensors for that many tokens (the residual stream and its normed copy,
 * q/k/v, and the MLP's gate and up projections of the routed experts, split over the GPUs) plus the
 * sampler's fp32 logits for `max_num_seqs` rows (docs/timed.md).
 */
export function activationBytes(d: Deployment): number {
  const m = d.model;
  const tp = d.tensorParallel;
  const qkv = (m.attentionHeads / tp + 2 * kvHeadsPerGpu(m, tp)) * m.headDim;
  const mlp = (2 * m.intermediateSize * m.expertsPerToken) / tp;
  const perToken = (2 * m.hiddenSize + qkv + mlp) * m.dtypeBytes;
  return d.maxBatchedTokens * perToken + d.maxSeqs * m.vocabSize * 4;
}

/**
 * The most KV blocks the engine holds: its per-block tables are WebAssembly arrays, and past this
 * one of them outgrows an array's 1 GiB limit. A planned cache this large means tiny blocks on many
 * GPUs; a larger --block-size says the same memory in fewer blocks.
 */
export const MAX_KV_BLOCKS = 2 ** 21;

/**
 * Each GPU's memory plan: `gpuMemoryUtilization × memory`, less its share of the weights and the
 * activation reserve, holds the KV cache in blocks of `blockSize` tokens. A deployment whose
 * weights and activations leave no block is an input error saying by how much it misses, also
 * when the blocks are given.
 */
export function planMemory(d: Deployment): MemoryPlan {
  const m = d.model;
  const tp = d.tensorParallel;
  if (!Number.isInteger(tp) || tp < 1) throw new KvsimInputError(`tensor parallel must be a positive integer, got ${tp}`);
  if (m.attentionHeads % tp !== 0) throw new KvsimInputError(`tensor parallel ${tp} does not divide ${m.name}'s ${m.attentionHeads} attention heads`);
  const kvPerToken = (kvBytesPerToken(m) / m.kvHeads) * kvHeadsPerGpu(m, tp);
  const budgetBytes = Math.floor(d.gpuMemoryUtilization * d.gpu.memoryBytes);
  const weightBytes = (parameterCount(m).total * m.dtypeBytes) / tp;
  const activation = activationBytes(d);
  const explicit = d.kvBlocks !== undefined;
  const room = Math.floor((budgetBytes - weightBytes - activation) / (kvPerToken * d.blockSize));
  // Blocks given outright are taken as given (as vLLM's num_gpu_blocks_override), but the model must still fit.
  const kvBlocks = explicit ? d.kvBlocks! : room;
  if (room < 1) {
    const gib = (b: number) => (b / 1024 ** 3).toFixed(2);
    throw new KvsimInputError(`${m.name} does not fit ${tp} × ${d.gpu.name} at gpu memory utilization ${d.gpuMemoryUtilization}: ` +
      `weights ${gib(weightBytes)} GiB + activations ${gib(activation)} GiB per GPU leave no KV block of the ${gib(budgetBytes)} GiB budget ` +
      "(more GPUs with --tp, a larger GPU, or a higher --gpu-memory-utilization)");
  }
  return { budgetBytes, weightBytes, activationBytes: activation, kvBytesPerToken: kvPerToken, kvBlocks, kvTokens: kvBlocks * d.blockSize, explicit };
}
