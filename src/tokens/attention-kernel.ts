import { AttentionRowKernel } from "../wasm/tokens.js";

/** One kernel per thread, behind a plain function. */
let kernel: AttentionRowKernel | undefined;

/** `AttentionRowKernel.softmaxRow` on this thread's kernel. */
export function softmaxRow(keys: Float32Array, d: number, q: Float32Array, t: number, scale: number, slope: number, cap: number, out: Float64Array): void {
  kernel ??= new AttentionRowKernel();
  kernel.softmaxRow(keys, d, q, t, scale, slope, cap, out);
}
