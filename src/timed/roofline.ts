import { kvHeadsPerGpu } from "./deployment.js";
import type { GpuSpec } from "./gpus.js";
import type { ModelSpec } from "./models.js";
import type { IterationBatch, TimeModel } from "./time-model.js";

/**
 * The efficiencies and overheads of the roofline time model: what separates a datasheet's peak from
 * what kernels reach. Named and documented in docs/timed.md, with how they were fitted.
 */
export interface RooflineParams {
  /** Share of peak FLOP/s the linear layers (GEMMs) reach when compute-bound. */
  gemmFlopsEfficiency: number;
  /** Share of peak FLOP/s attention reaches when compute-bound (long prefills). */
  attentionFlopsEfficiency: number;
  /** Share of memory bandwidth attention reaches reading the KV cache (decodes). */
  attentionBandwidthEfficiency: number;
  /** Share of memory bandwidth every other kernel reaches (weights, activations). */
  bandwidthEfficiency: number;
  /** Fixed cost of each kernel (launch and tail), s; a layer runs ~12 of them. */
  kernelOverheadS: number;
  /** Fixed cost of each iteration outside the GPU (scheduling, sampling, detokenising), s. */
  iterationOverheadS: number;
  /** Latency of one all-reduce between tensor-parallel GPUs, s (bandwidth is the GPU's peer link). */
  allReduceLatencyS: number;
}

/**
 * Fitted to Vidur's profiled Llama-2-7B tables on an A100 80GB (`fitRoofline`; docs/timed.md gives
 * the error at every grid point). Other GPUs use the same shares of their own peaks: a stated
 * assumption until a profile of them is at hand. The iteration overhead (vLLM's CPU side) is 0, as
 * in Vidur's reference runs, whose tables time GPU kernels only.
 */
export const DEFAULT_ROOFLINE: RooflineParams = {
  gemmFlopsEfficiency: 0.68,
  attentionFlopsEfficiency: 0.5,
  attentionBandwidthEfficiency: 0.88,
  bandwidthEfficiency: 0.76,
  kernelOverheadS: 6e-6,
  iterationOverheadS: 0,
  allReduceLatencyS: 10e-6,
};

/** One deployment's per-GPU sizes, precomputed once. */
interface Shape {
  layers: number;
  hidden: number;
  /** Query and KV heads' widths on one GPU (elements per token). */
  qWidth: number;
  kvWidth: number;
  /** MLP width on one GPU per routed expert. */
  mlpWidth: number;
  experts: number;
  expertsPerToken: number;
  vocab: number;
  bytes: number;
  tp: number;
}

/**
 * The `roofline` time model: each kernel of an iteration takes the larger of its compute time
 * (FLOPs ÷ peak × efficiency) and its memory time (bytes ÷ bandwidth × efficiency), plus a fixed
 * overhead; an iteration is its layers' kernels, the output head for the requests that sample, the
 * tensor-parallel all-reduces and a per-iteration overhead. Attention grows with context: a prefill
 * chunk of c tokens after p cached attends c·p + c(c+1)/2 query-key pairs and reads p + c tokens of
 * KV; a decode reads its whole context.
 */
export function rooflineTimeModel(model: ModelSpec, gpu: GpuSpec, tensorParallel = 1, params: RooflineParams = DEFAULT_ROOFLINE): TimeModel {
  const s: Shape = {
    layers: model.layers,
    hidden: model.hiddenSize,
    qWidth: (model.attentionHeads / tensorParallel) * model.headDim,
    kvWidth: kvHeadsPerGpu(model, tensorParallel) * model.headDim,
    mlpWidth: model.intermediateSize / tensorParallel,
    experts: model.experts,
    expertsPerToken: model.expertsPerToken,
    vocab: model.vocabSize / tensorParallel,
    bytes: model.dtypeBytes,
    tp: tensorParallel,
  };
  const gemmFlops = gpu.denseFlops * params.gemmFlopsEfficiency;
  const attentionFlops = gpu.denseFlops * params.attentionFlopsEfficiency;
  const attentionBandwidth = gpu.memoryBandwidth * params.attentionBandwidthEfficiency;
  const bandwidth = gpu.memoryBandwidth * params.bandwidthEfficiency;
  const kernel = (flops: number, bytes: number, flopRate: number, byteRate = bandwidth): number =>
    Math.max(flops / flopRate, bytes / byteRate) + params.kernelOverheadS;
  const elementwise = (bytes: number): number => bytes / bandwidth + params.kernelOverheadS;
  /** A linear layer of `inputs × outputs` weights over `tokens` tokens, reading `copies` weight matrices. */
  const linear = (tokens: number, inputs: number, outputs: number, copies = 1): number =>
    kernel(2 * tokens * inputs * outputs, (copies * inputs * outputs + tokens * (inputs + outputs)) * s.bytes, gemmFlops);
  const allReduce = (tokens: number): number =>
    s.tp === 1 ? 0 : params.allReduceLatencyS + (2 * (s.tp - 1) / s.tp) * tokens * s.hidden * s.bytes / gpu.peerBandwidth;

  return {
    name: "roofline",
    iterationTime(b: IterationBatch): number {
      let tokens = 0;
      let samples = 0;
      let prefillPairs = 0;
      let prefillKv = 0;
      let prefillTokens = 0;
      let decodePairs = 0;
      for (let i = 0; i < b.size; i++) {
        const c = b.tokens[i]!;
        const p = b.context[i]!;
        tokens += c;
        samples += b.samples[i]!;
        if (b.prefill[i]) {
          prefillPairs += c * p + (c * (c + 1)) / 2;
          prefillKv += p + c;
          prefillTokens += c;
        } else {
          decodePairs += p + c;
        }
      }
      if (tokens === 0) return params.iterationOverheadS;
      const h = s.hidden;
      const act = tokens * h * s.bytes;
      // Experts a layer reads: each token picks `expertsPerToken` of them (uniformly, in expectation).
      const expertsRead = s.experts === 1 ? 1 : s.experts * (1 - (1 - s.expertsPerToken / s.experts) ** tokens);
      const routed = tokens * s.expertsPerToken;
      const kvBytes = s.kvWidth * 2 * s.bytes;
      let attention = 0;
      if (prefillTokens > 0) {
        attention += kernel(4 * s.qWidth * prefillPairs, prefillKv * kvBytes + 2 * prefillTokens * s.qWidth * s.bytes, attentionFlops, attentionBandwidth);
      }
      if (decodePairs > 0) {
        const decodeTokens = tokens - prefillTokens;
        attention += kernel(4 * s.qWidth * decodePairs, decodePairs * kvBytes + 2 * decodeTokens * s.qWidth * s.bytes, attentionFlops, attentionBandwidth);
      }
      const layer =
        2 * elementwise(2 * act) + // input and post-attention RMSNorm
        linear(tokens, h, s.qWidth + 2 * s.kvWidth) +
        elementwise(2 * tokens * (s.qWidth + s.kvWidth) * s.bytes) + // rotary embedding of q and k
        elementwise(2 * tokens * kvBytes) + // writing the new tokens' KV to the cache
        attention +
        linear(tokens, s.qWidth, h) +
        (s.experts > 1 ? linear(tokens, h, s.experts) : 0) + // the router
        linear(routed, h, 2 * s.mlpWidth, expertsRead) + // gate and up projections
        elementwise(3 * routed * s.mlpWidth * s.bytes) + // SiLU × up
        linear(routed, s.mlpWidth, h, expertsRead) +
        2 * elementwise(3 * act) + // the two residual adds
        2 * allReduce(tokens);
      const head = samples === 0 ? 0 : elementwise(2 * samples * h * s.bytes) + linear(samples, h, s.vocab);
      return s.layers * layer + head + params.iterationOverheadS;
    },
  };
}
