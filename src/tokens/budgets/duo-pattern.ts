import { KvsimInputError } from "../../errors.js";

/**
 * DuoAttention's trained head pattern, `full_attention_heads.tsv` in the DuoAttention repository's
 * `attn_patterns/<model>/…/` directories: one line per layer, one tab-separated gate per KV head,
 * clipped to [0, 1] as `duo_attn.utils.load_attn_pattern` and kvpress's
 * `DuoAttentionPress.load_attention_pattern` clip it. A higher gate means the head needs its full
 * cache. Returns [layer][head].
 */
export function parseDuoPattern(text: string, file: string): number[][] {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines.at(-1)!.trim() === "") lines.pop();
  if (lines.length === 0) throw new KvsimInputError(`${file}: a DuoAttention head pattern needs one line of gates per layer; the file is empty`);
  const rows = lines.map((line, l) => line.trim().split(/\s+/).map((field, h) => {
    const gate = Number(field);
    if (field === "" || !Number.isFinite(gate)) throw new KvsimInputError(`${file}:${l + 1}: gate ${h + 1} is "${field}", not a number`);
    return Math.min(1, Math.max(0, gate));
  }));
  const heads = rows[0]!.length;
  const ragged = rows.findIndex((row) => row.length !== heads);
  if (ragged >= 0) throw new KvsimInputError(`${file}:${ragged + 1}: ${rows[ragged]!.length} gates, but line 1 has ${heads} (one per KV head)`);
  return rows;
}

/** Refuses a pattern whose shape is not the trace's model's. */
export function checkDuoPatternShape(pattern: number[][], layers: number, kvHeads: number, file: string): void {
  if (pattern.length !== layers || pattern[0]!.length !== kvHeads) {
    throw new KvsimInputError(`${file}: the head pattern is ${pattern.length} layers × ${pattern[0]!.length} KV heads, but the trace's model has ${layers} × ${kvHeads}`);
  }
}
