import { kvHeadsPerGpu } from "./deployment.js";
import type { GpuSpec } from "./gpus.js";
import type { ModelSpec } from "./models.js";
import type { IterationBatch, TimeModel } from "./time-model.js";
import { RooflineField, TimedTimeModel } from "../../assembly/abi/timed.js";

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

/** b^n for a whole n ≥ 0 by squaring: the same multiplications in every engine (a library pow may round differently). */
export function powInt(b: number, n: number): number {
  let result = 1;
  for (let e = n; e > 0; e = Math.floor(e / 2)) {
    if (e % 2 === 1) result *= b;
    b *= b;
  }
  return result;
}

/**
 * The numbers the roofline computes from (assembly/abi/timed.ts's `RooflineField`): one
 * deployment's per-GPU sizes and its rates, derived once. The WebAssembly twin gets these.
 */
export function rooflineNumbers(model: ModelSpec, gpu: GpuSpec, tensorParallel = 1, params: RooflineParams = DEFAULT_ROOFLINE): Float64Array {
  const n = new Float64Array(RooflineField.COUNT);
  n[RooflineField.layers] = model.layers;
  n[RooflineField.hidden] = model.hiddenSize;
  n[RooflineField.qWidth] = (model.attentionHeads / tensorParallel) * model.headDim;
  n[RooflineField.kvWidth] = kvHeadsPerGpu(model, tensorParallel) * model.headDim;
  n[RooflineField.mlpWidth] = model.intermediateSize / tensorParallel;
  n[RooflineField.experts] = model.experts;
  n[RooflineField.expertsPerToken] = model.expertsPerToken;
  n[RooflineField.vocab] = model.vocabSize / tensorParallel;
  n[RooflineField.bytes] = model.dtypeBytes;
  n[RooflineField.tensorParallel] = tensorParallel;
  n[RooflineField.gemmFlops] = gpu.denseFlops * params.gemmFlopsEfficiency;
  n[RooflineField.attentionFlops] = gpu.denseFlops * params.attentionFlopsEfficiency;
  n[RooflineField.attentionBandwidth] = gpu.memoryBandwidth * params.attentionBandwidthEfficiency;
  n[RooflineField.bandwidth] = gpu.memoryBandwidth * params.bandwidthEfficiency;
  n[RooflineField.peerBandwidth] = gpu.peerBandwidth;
  n[RooflineField.kernelOverheadS] = params.kernelOverheadS;
  n[RooflineField.iterationOverheadS] = params.iterationOverheadS;
  n[RooflineField.allReduceLatencyS] = params.allReduceLatencyS;
  return n;
}

/**
 * The `roofline` time model: each kernel of an iteration takes the larger of its compute time
 * (FLOPs ÷ peak × efficiency) and its memory time (bytes ÷ bandwidth × efficiency), plus a fixed
 * overhead; an iteration is its layers' kernels, the output head for the requests that sample, the
 * tensor-parallel all-reduces and a per-iteration overhead. Attention grows with context: a prefill
 * chunk of c tokens after p cached attends c·p + c(c+1)/2 query-key pairs and reads p + c tokens of
 * KV; a decode reads its whole context. assembly/timed/roofline.ts is its twin, operation for
 * operation.
 */
export function rooflineTimeModel(model: ModelSpec, gpu: GpuSpec, tensorParallel = 1, params: RooflineParams = DEFAULT_ROOFLINE): TimeModel {
  const values = rooflineNumbers(model, gpu, tensorParallel, params);
  const v = (f: RooflineField): number => values[f]!;
  const layers = v(RooflineField.layers);
  const hidden = v(RooflineField.hidden);
  const qWidth = v(RooflineField.qWidth);
  const kvWidth = v(RooflineField.kvWidth);
  const mlpWidth = v(RooflineField.mlpWidth);
  const experts = v(RooflineField.experts);
  const expertsPerToken = v(RooflineField.expertsPerToken);
  const vocab = v(RooflineField.vocab);
  const bytes = v(RooflineField.bytes);
  const tp = v(RooflineField.tensorParallel);
  const gemmFlops = v(RooflineField.gemmFlops);
  const attentionFlops = v(RooflineField.attentionFlops);
  const attentionBandwidth = v(RooflineField.attentionBandwidth);
  const bandwidth = v(RooflineField.bandwidth);
  const peerBandwidth = v(RooflineField.peerBandwidth);
  const kernelOverhead = v(RooflineField.kernelOverheadS);
  const iterationOverhead = v(RooflineField.iterationOverheadS);
  const allReduceLatency = v(RooflineField.allReduceLatencyS);
  const kernel = (flops: number, byteCount: number, flopRate: number, byteRate = bandwidth): number =>
    Math.max(flops / flopRate, byteCount / byteRate) + kernelOverhead;
  const elementwise = (byteCount: number): number => byteCount / bandwidth + kernelOverhead;
  /** A linear layer of `inputs × outputs` weights over `tokens` tokens, reading `copies` weight matrices. */
  const linear = (tokens: number, inputs: number, outputs: number, copies = 1): number =>
    kernel(2 * tokens * inputs * outputs, (copies * inputs * outputs + tokens * (inputs + outputs)) * bytes, gemmFlops);
  const allReduce = (tokens: number): number =>
    tp === 1 ? 0 : allReduceLatency + (2 * (tp - 1) / tp) * tokens * hidden * bytes / peerBandwidth;

  return {
    name: "roofline",
    engine: { id: TimedTimeModel.roofline, values },
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
      if (tokens === 0) return iterationOverhead;
      const h = hidden;
      const act = tokens * h * bytes;
      // Experts a layer reads: each token picks `expertsPerToken` of them (uniformly, in expectation).
      const expertsRead = experts === 1 ? 1 : experts * (1 - powInt(1 - expertsPerToken / experts, tokens));
      const routed = tokens * expertsPerToken;
      const kvBytes = kvWidth * 2 * bytes;
      let attention = 0;
      if (prefillTokens > 0) {
        attention += kernel(4 * qWidth * prefillPairs, prefillKv * kvBytes + 2 * prefillTokens * qWidth * bytes, attentionFlops, attentionBandwidth);
      }
      if (decodePairs > 0) {
        const decodeTokens = tokens - prefillTokens;
        attention += kernel(4 * qWidth * decodePairs, decodePairs * kvBytes + 2 * decodeTokens * qWidth * bytes, attentionFlops, attentionBandwidth);
      }
      const layer =
        2 * elementwise(2 * act) + // input and post-attention RMSNorm
        linear(tokens, h, qWidth + 2 * kvWidth) +
        elementwise(2 * tokens * (qWidth + kvWidth) * bytes) + // rotary embedding of q and k
        elementwise(2 * tokens * kvBytes) + // writing the new tokens' KV to the cache
        attention +
        linear(tokens, qWidth, h) +
        (experts > 1 ? linear(tokens, h, experts) : 0) + // the router
        linear(routed, h, 2 * mlpWidth, expertsRead) + // gate and up projections
        elementwise(3 * routed * mlpWidth * bytes) + // SiLU × up
        linear(routed, mlpWidth, h, expertsRead) +
        2 * elementwise(3 * act) + // the two residual adds
        2 * allReduce(tokens);
      const head = samples === 0 ? 0 : elementwise(2 * samples * h * bytes) + linear(samples, h, vocab);
      return layers * layer + head + iterationOverhead;
    },
  };
}
