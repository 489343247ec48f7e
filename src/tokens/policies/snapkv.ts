import { attentionRow } from "../trace.js";
import { FORCE, type TokenPolicy } from "./policy.js";

const WINDOW = 64;
const KERNEL = 5;

/**
 * SnapKV (Li et al., arXiv:2404.14469; kvpress snapkv_press.py): the last 64 context queries vote
 * by attention (mean over the window and the group), smoothed by a 5-wide average pool that counts
 * the padding; the window itself is always kept, most recent first.
 */
export const snapkv: TokenPolicy = {
  name: "snapkv", attention: true, source: "arXiv:2404.14469; kvpress SnapKVPress (window 64, avg pool 5)",
  summary: "keep the tokens the last 64 context queries attend to most (pooled), plus that window",
  score({ view }) {
    const t = view.context;
    const w = Math.min(WINDOW, t - 1, t - view.queryStart);
    const prefix = t - w;
    const votes = new Float64Array(prefix);
    const row = new Float64Array(t);
    for (let j = 0; j < view.groupSize; j++) {
      for (let q = prefix; q < t; q++) {
        attentionRow(view, j, q, row);
        for (let i = 0; i < prefix; i++) votes[i]! += row[i]! / (w * view.groupSize);
      }
    }
    const s = new Float64Array(t);
    const half = KERNEL >> 1;
    for (let i = 0; i < prefix; i++) {
      let sum = 0;
      for (let k = i - half; k <= i + half; k++) if (k >= 0 && k < prefix) sum += votes[k]!;
      s[i] = sum / KERNEL;
    }
    for (let i = prefix; i < t; i++) s[i] = FORCE + i;
    return s;
  },
};
