import { ProfileField, ProfileTable, TimedTimeModel } from "../../assembly/abi/timed.js";
import { KvsimInputError } from "../errors.js";
import { KV_STEP, LINEAR_OPS, MAX_DECODE_BATCH, MAX_TOKENS, decodeIndex, prefillIndex, type ProfileTables } from "./profile-tables.js";
import type { ModelSpec } from "./models.js";
import type { IterationBatch, TimeModel } from "./time-model.js";

export interface ProfileModelConfig {
  /** Layers the per-layer tables are multiplied by. */
  layers: number;
  /** Vidur's attention batching overhead fractions (0.1 each for grouped-query models, else 0). */
  decodeOverhead: number;
  prefillOverhead: number;
}

/** The profile model's settings for a model: its layers, and Vidur's attention batching overhead for grouped-query models. */
export function profileConfigFor(model: ModelSpec): ProfileModelConfig {
  const overhead = model.kvHeads < model.attentionHeads ? 0.1 : 0;
  return { layers: model.layers, decodeOverhead: overhead, prefillOverhead: overhead };
}

const ceilTo = (x: number, step: number): number => Math.ceil(x / step) * step;

/**
 * The `profile` time model: Vidur's batch time (the contract's §9.3, each double operation in its
 * order, so Vidur's replays are bit-exact) from per-operation tables. Decode attention is looked up
 * at the decodes' mean KV length rounded up to the grid, prefill attention at the summed (rounded)
 * KV lengths and the root of the summed squared chunks. A batch beyond the tables' grid is an error:
 * Vidur's tables have no value there to give.
 */
/** The numbers of the engine's twin (assembly/abi/timed.ts's `ProfileField` then `ProfileTable`). */
function profileValues(tables: ProfileTables, config: ProfileModelConfig): Float64Array {
  const tokens = MAX_TOKENS + 1;
  const values = new Float64Array(ProfileField.COUNT + ProfileTable.decode * tokens + tables.decode.length + tables.prefill.length);
  values[ProfileField.layers] = config.layers;
  values[ProfileField.decodeOverhead] = config.decodeOverhead;
  values[ProfileField.prefillOverhead] = config.prefillOverhead;
  for (const op of LINEAR_OPS) values.set(tables.linear[op], ProfileField.COUNT + ProfileTable[op] * tokens);
  values.set(tables.decode, ProfileField.COUNT + ProfileTable.decode * tokens);
  values.set(tables.prefill, ProfileField.COUNT + ProfileTable.decode * tokens + tables.decode.length);
  return values;
}

export function profileTimeModel(tables: ProfileTables, config: ProfileModelConfig): TimeModel {
  const { linear, decode, prefill } = tables;
  const T = (op: keyof typeof linear, n8: number): number => linear[op][n8]!;
  return {
    name: "profile",
    engine: { id: TimedTimeModel.profile, values: profileValues(tables, config) },
    iterationTime(b: IterationBatch): number {
      let n = 0;
      let decodes = 0;
      let decodeKv = 0;
      let prefills = 0;
      let prefillKv = 0;
      let squares = 0;
      for (let i = 0; i < b.size; i++) {
        const tokens = b.tokens[i]!;
        n += tokens;
        if (b.prefill[i]) {
          prefills++;
          prefillKv += ceilTo(b.context[i]!, KV_STEP);
          squares += tokens * tokens;
        } else {
          decodes++;
          decodeKv += b.context[i]!;
        }
      }
      const n8 = ceilTo(n, 8);
      if (n8 > MAX_TOKENS || decodes > MAX_DECODE_BATCH) throw new KvsimInputError(`profile: batch of ${n} tokens and ${decodes} decodes is outside the timing tables`);
      let tDecode = 0;
      if (decodes > 0) {
        const kv = ceilTo(Math.floor(decodeKv / decodes), KV_STEP);
        if (kv > MAX_TOKENS) throw new KvsimInputError(`profile: mean decode KV ${kv} is outside the timing tables`);
        tDecode = decode[decodeIndex(decodes, kv)]! * (1 + (decodes > 1 ? config.decodeOverhead : 0));
      }
      let tPrefill = 0;
      if (prefills > 0) {
        const s = Math.round(Math.sqrt(squares));
        if (prefillKv > MAX_TOKENS || s > MAX_TOKENS) throw new KvsimInputError(`profile: prefill key (${prefillKv}, ${s}²) is outside the timing tables`);
        tPrefill = prefill[prefillIndex(prefillKv, s)]! * (1 + (prefills > 1 ? config.prefillOverhead : 0));
      }
      const attn = ((((((T("attn_pre_proj", n8) + T("attn_post_proj", n8)) + T("attn_rope", n8)) + linear.attn_kv_cache_save[n]!) + tDecode) + tPrefill) + T("input_layernorm", n8));
      const mlp = ((T("mlp_up_proj", n8) + T("mlp_down_proj", n8)) + T("mlp_act", n8)) + T("post_attention_layernorm", n8);
      const block = (attn + mlp) + T("add", n8);
      return (block * config.layers) * 0.001;
    },
  };
}
