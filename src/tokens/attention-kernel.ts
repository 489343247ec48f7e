import { instantiateEngine, type EngineExports } from "../wasm/engine-module.js";

/**
 * The WASM attention-row kernel (assembly/tokens/attention.ts) behind a plain function. One engine
 * instance per thread holds one head's keys at a time; they are copied in only when a different
 * head's keys are asked for.
 */
let engine: EngineExports | undefined;
let loaded: { buffer: ArrayBufferLike; offset: number; length: number } | undefined;

function load(keys: Float32Array, d: number): EngineExports {
  engine ??= instantiateEngine();
  if (loaded && loaded.buffer === keys.buffer && loaded.offset === keys.byteOffset && loaded.length === keys.length) return engine;
  engine.resetArena();
  engine.setupAttention(keys.length / d, d);
  new Float32Array(engine.memory.buffer, engine.attentionKeys(), keys.length).set(keys);
  loaded = { buffer: keys.buffer, offset: keys.byteOffset, length: keys.length };
  return engine;
}

/**
 * Writes softmax_i(q·k_i·scale − slope·min(t − i, cap)) for i in [0, t] into `out`; `keys` are
 * one head's [total × d] keys and `q` one query of dimension d.
 */
export function softmaxRow(keys: Float32Array, d: number, q: Float32Array, t: number, scale: number, slope: number, cap: number, out: Float64Array): void {
  const e = load(keys, d);
  new Float32Array(e.memory.buffer, e.attentionQuery(), d).set(q);
  e.softmaxRow(t, scale, slope, cap);
  out.set(new Float64Array(e.memory.buffer, e.attentionRowBuffer(), t + 1));
}
