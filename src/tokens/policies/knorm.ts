import type { TokenPolicy } from "./policy.js";

/** K-norm (Devoto et al., arXiv:2406.11430; kvpress knorm_press.py): low-norm keys attract attention, so keep them. */
export const knorm: TokenPolicy = {
  name: "knorm", attention: false, source: "arXiv:2406.11430; kvpress KnormPress",
  summary: "keep keys with the smallest L2 norm",
  score({ view }) {
    const d = view.headDim;
    const s = new Float64Array(view.context);
    for (let i = 0; i < view.context; i++) {
      let sq = 0;
      for (let c = 0; c < d; c++) sq += view.keys[i * d + c]! ** 2;
      s[i] = -Math.sqrt(sq);
    }
    return s;
  },
};
