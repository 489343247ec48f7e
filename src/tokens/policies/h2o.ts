import type { TokenPolicy } from "./policy.js";

/**
 * H2O (Zhang et al., arXiv:2306.14048): heavy hitters by attention accumulated over the context
 * queries (the trace's h2o_acc, every stride-th query plus the last window, averaged over the
 * group). Evaluated as the pure accumulated-score ranking (heavy share 1), which is nested across
 * budgets; the original's recent window would make each budget its own kept set.
 */
export const h2o: TokenPolicy = {
  name: "h2o", attention: true, source: "arXiv:2306.14048 (accumulated attention, heavyFrac = 1)",
  summary: "keep the tokens with the largest attention accumulated over the context queries",
  score({ view }) {
    return Float64Array.from(view.h2oAcc);
  },
};
