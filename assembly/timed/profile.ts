import { ProfileField, ProfileGrid, ProfileTable } from "../abi/timed";
import { TimeModel } from "./time-model";
import * as batch from "./batch";

const TOKENS = ProfileGrid.maxTokens + 1;
const KV_KEYS = ProfileGrid.maxTokens / ProfileGrid.kvStep + 1;
const DECODE_AT = ProfileField.COUNT + ProfileTable.decode * TOKENS;
const PREFILL_AT = DECODE_AT + (ProfileGrid.maxDecodeBatch + 1) * KV_KEYS;
/** Values of the model buffer: its fields, then its tables (abi/timed.ts's `ProfileTable`). */
export const PROFILE_VALUES = PREFILL_AT + KV_KEYS * TOKENS;

@inline function ceilTo(x: i64, step: i64): i64 {
  return (x + step - 1) / step * step;
}

/**
 * The `profile` time model: Vidur's batch time from per-operation tables (src/timed/profile-model.ts,
 * the contract's §9.3), each double operation in that file's order so that Vidur's replays stay
 * bit-exact. A batch off the tables' grid times as NaN, which the schedulers report as a stop.
 */
export class Profile extends TimeModel {
  constructor(private values: StaticArray<f64>) {
    super();
  }

  @inline private linear(op: i32, n: i64): f64 {
    return unchecked(this.values[ProfileField.COUNT + op * TOKENS + <i32>n]);
  }

  iterationTime(): f64 {
    let n: i64 = 0;
    let decodes: i64 = 0;
    let decodeKv: i64 = 0;
    let prefills: i64 = 0;
    let prefillKv: i64 = 0;
    let squares: i64 = 0;
    for (let i = 0; i < batch.size; i++) {
      const tokens = <i64>unchecked(batch.tokens[i]);
      n += tokens;
      if (unchecked(batch.prefill[i])) {
        prefills++;
        prefillKv += ceilTo(unchecked(batch.context[i]), ProfileGrid.kvStep);
        squares += tokens * tokens;
      } else {
        decodes++;
        decodeKv += unchecked(batch.context[i]);
      }
    }
    return this.timeOf(n, decodes, decodeKv, prefills, prefillKv, squares);
  }

  prefillTime(tokens: i32, context: i32): f64 {
    const n = <i64>tokens;
    return this.timeOf(n, 0, 0, 1, ceilTo(<i64>context, ProfileGrid.kvStep), n * n);
  }

  /** The iteration's time from its batch's sums (what `iterationTime` gathers). */
  private timeOf(n: i64, decodes: i64, decodeKv: i64, prefills: i64, prefillKv: i64, squares: i64): f64 {
    const n8 = ceilTo(n, 8);
    if (n8 > ProfileGrid.maxTokens || decodes > ProfileGrid.maxDecodeBatch) return NaN;
    const v = this.values;
    let tDecode: f64 = 0;
    if (decodes > 0) {
      const kv = ceilTo(decodeKv / decodes, ProfileGrid.kvStep);
      if (kv > ProfileGrid.maxTokens) return NaN;
      const overhead = decodes > 1 ? v[ProfileField.decodeOverhead] : 0;
      tDecode = unchecked(v[DECODE_AT + <i32>decodes * KV_KEYS + <i32>(kv / ProfileGrid.kvStep)]) * (1 + overhead);
    }
    let tPrefill: f64 = 0;
    if (prefills > 0) {
      const s = <i64>Math.round(Math.sqrt(<f64>squares));
      if (prefillKv > ProfileGrid.maxTokens || s > ProfileGrid.maxTokens) return NaN;
      const overhead = prefills > 1 ? v[ProfileField.prefillOverhead] : 0;
      tPrefill = unchecked(v[PREFILL_AT + <i32>(prefillKv / ProfileGrid.kvStep) * TOKENS + <i32>s]) * (1 + overhead);
    }
    const attn = ((((((this.linear(ProfileTable.attn_pre_proj, n8) + this.linear(ProfileTable.attn_post_proj, n8)) + this.linear(ProfileTable.attn_rope, n8))
      + this.linear(ProfileTable.attn_kv_cache_save, n)) + tDecode) + tPrefill) + this.linear(ProfileTable.input_layernorm, n8));
    const mlp = ((this.linear(ProfileTable.mlp_up_proj, n8) + this.linear(ProfileTable.mlp_down_proj, n8)) + this.linear(ProfileTable.mlp_act, n8))
      + this.linear(ProfileTable.post_attention_layernorm, n8);
    const block = (attn + mlp) + this.linear(ProfileTable.add, n8);
    return (block * v[ProfileField.layers]) * 0.001;
  }
}
