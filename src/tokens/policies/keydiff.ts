import type { TokenPolicy } from "./policy.js";

/** KeyDiff (Park et al., arXiv:2504.15364; kvpress keydiff_press.py): keep keys least aligned with the mean normalized key. */
export const keydiff: TokenPolicy = {
  name: "keydiff", attention: false, source: "arXiv:2504.15364; kvpress KeyDiffPress (one-shot)",
  summary: "keep keys with the lowest cosine to the mean normalized key",
  score({ view }) {
    const d = view.headDim;
    const t = view.context;
    const norms = new Float64Array(t);
    const anchor = new Float64Array(d);
    for (let i = 0; i < t; i++) {
      let sq = 0;
      for (let c = 0; c < d; c++) sq += view.keys[i * d + c]! ** 2;
      norms[i] = Math.sqrt(sq) || 1;
      for (let c = 0; c < d; c++) anchor[c]! += view.keys[i * d + c]! / norms[i]! / t;
    }
    let an = 0;
    for (let c = 0; c < d; c++) an += anchor[c]! ** 2;
    an = Math.sqrt(an) || 1;
    const s = new Float64Array(t);
    for (let i = 0; i < t; i++) {
      let dot = 0;
      for (let c = 0; c < d; c++) dot += view.keys[i * d + c]! * anchor[c]!;
      s[i] = -dot / (norms[i]! * an);
    }
    return s;
  },
};
