import { RooflineField } from "../abi/timed";
import { TimeModel } from "./time-model";
import * as batch from "./batch";

/** b^n by squaring: the same multiplications in every engine, unlike a library pow (roofline.ts's `powInt`). */
export function powInt(b: f64, n: f64): f64 {
  let result: f64 = 1;
  let e = <i64>n;
  while (e > 0) {
    if (e & 1) result *= b;
    b *= b;
    e >>= 1;
  }
  return result;
}

/**
 * The `roofline` time model (src/timed/roofline.ts, whose comments say what each term is): each
 * kernel the larger of its compute and memory time plus a fixed overhead. Its numbers are the
 * TypeScript's `rooflineNumbers`, and every expression below keeps that file's operation order.
 */
export class Roofline extends TimeModel {
  layers: f64;
  hidden: f64;
  qWidth: f64;
  kvWidth: f64;
  mlpWidth: f64;
  experts: f64;
  expertsPerToken: f64;
  vocab: f64;
  bytes: f64;
  tp: f64;
  gemmFlops: f64;
  attentionFlops: f64;
  attentionBandwidth: f64;
  bandwidth: f64;
  peerBandwidth: f64;
  kernelOverhead: f64;
  iterationOverhead: f64;
  allReduceLatency: f64;

  constructor(n: StaticArray<f64>) {
    super();
    this.layers = n[RooflineField.layers];
    this.hidden = n[RooflineField.hidden];
    this.qWidth = n[RooflineField.qWidth];
    this.kvWidth = n[RooflineField.kvWidth];
    this.mlpWidth = n[RooflineField.mlpWidth];
    this.experts = n[RooflineField.experts];
    this.expertsPerToken = n[RooflineField.expertsPerToken];
    this.vocab = n[RooflineField.vocab];
    this.bytes = n[RooflineField.bytes];
    this.tp = n[RooflineField.tensorParallel];
    this.gemmFlops = n[RooflineField.gemmFlops];
    this.attentionFlops = n[RooflineField.attentionFlops];
    this.attentionBandwidth = n[RooflineField.attentionBandwidth];
    this.bandwidth = n[RooflineField.bandwidth];
    this.peerBandwidth = n[RooflineField.peerBandwidth];
    this.kernelOverhead = n[RooflineField.kernelOverheadS];
    this.iterationOverhead = n[RooflineField.iterationOverheadS];
    this.allReduceLatency = n[RooflineField.allReduceLatencyS];
  }

  @inline kernel(flops: f64, bytes: f64, flopRate: f64, byteRate: f64): f64 {
    return max(flops / flopRate, bytes / byteRate) + this.kernelOverhead;
  }

  @inline elementwise(bytes: f64): f64 {
    return bytes / this.bandwidth + this.kernelOverhead;
  }

  @inline linear(tokens: f64, inputs: f64, outputs: f64, copies: f64): f64 {
    return this.kernel(2 * tokens * inputs * outputs, (copies * inputs * outputs + tokens * (inputs + outputs)) * this.bytes, this.gemmFlops, this.bandwidth);
  }

  @inline allReduce(tokens: f64): f64 {
    return this.tp == 1 ? 0 : this.allReduceLatency + (2 * (this.tp - 1) / this.tp) * tokens * this.hidden * this.bytes / this.peerBandwidth;
  }

  iterationTime(): f64 {
    let tokens: f64 = 0;
    let samples: f64 = 0;
    let prefillPairs: f64 = 0;
    let prefillKv: f64 = 0;
    let prefillTokens: f64 = 0;
    let decodePairs: f64 = 0;
    const n = batch.size;
    for (let i = 0; i < n; i++) {
      const c = <f64>unchecked(batch.tokens[i]);
      const p = <f64>unchecked(batch.context[i]);
      tokens += c;
      samples += <f64>unchecked(batch.samples[i]);
      if (unchecked(batch.prefill[i])) {
        prefillPairs += c * p + (c * (c + 1)) / 2;
        prefillKv += p + c;
        prefillTokens += c;
      } else {
        decodePairs += p + c;
      }
    }
    return this.timeOf(tokens, samples, prefillPairs, prefillKv, prefillTokens, decodePairs);
  }

  prefillTime(tokens: i32, context: i32): f64 {
    const c = <f64>tokens;
    const p = <f64>context;
    return this.timeOf(c, 0, c * p + (c * (c + 1)) / 2, p + c, c, 0);
  }

  /** The iteration's time from its batch's sums (what `iterationTime` gathers). */
  private timeOf(tokens: f64, samples: f64, prefillPairs: f64, prefillKv: f64, prefillTokens: f64, decodePairs: f64): f64 {
    if (tokens == 0) return this.iterationOverhead;
    const h = this.hidden;
    const act = tokens * h * this.bytes;
    const expertsRead = this.experts == 1 ? 1 : this.experts * (1 - powInt(1 - this.expertsPerToken / this.experts, tokens));
    const routed = tokens * this.expertsPerToken;
    const kvBytes = this.kvWidth * 2 * this.bytes;
    let attention: f64 = 0;
    if (prefillTokens > 0) {
      attention += this.kernel(4 * this.qWidth * prefillPairs, prefillKv * kvBytes + 2 * prefillTokens * this.qWidth * this.bytes, this.attentionFlops, this.attentionBandwidth);
    }
    if (decodePairs > 0) {
      const decodeTokens = tokens - prefillTokens;
      attention += this.kernel(4 * this.qWidth * decodePairs, decodePairs * kvBytes + 2 * decodeTokens * this.qWidth * this.bytes, this.attentionFlops, this.attentionBandwidth);
    }
    const layer =
      2 * this.elementwise(2 * act) +
      this.linear(tokens, h, this.qWidth + 2 * this.kvWidth, 1) +
      this.elementwise(2 * tokens * (this.qWidth + this.kvWidth) * this.bytes) +
      this.elementwise(2 * tokens * kvBytes) +
      attention +
      this.linear(tokens, this.qWidth, h, 1) +
      (this.experts > 1 ? this.linear(tokens, h, this.experts, 1) : 0) +
      this.linear(routed, h, 2 * this.mlpWidth, expertsRead) +
      this.elementwise(3 * routed * this.mlpWidth * this.bytes) +
      this.linear(routed, this.mlpWidth, h, expertsRead) +
      2 * this.elementwise(3 * act) +
      2 * this.allReduce(tokens);
    const head = samples == 0 ? 0 : this.elementwise(2 * samples * h * this.bytes) + this.linear(samples, h, this.vocab, 1);
    return this.layers * layer + head + this.iterationOverhead;
  }
}
