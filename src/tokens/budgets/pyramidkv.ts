import { roundToTotal, type BudgetAllocator } from "./allocator.js";

/**
 * PyramidKV (Cai et al., arXiv:2406.02069) as kvpress's PyramidKVPress.get_layer_budget
 * (pyramidkv_press.py): with n = the uniform per-head budget, w = window_size and β = beta,
 * min = n/β and max = 2n − min (capped at T − w, min then 2n − max); layer l keeps
 * max − l·(max − min)/(L − 1) tokens per head, a straight line from max at the first layer to min
 * at the last, whose mean is n. When T ≥ max ≥ min ≥ w fails, kvpress falls back to the uniform
 * budget, and so does kvsim — also for one layer, where kvpress's step divides by zero.
 * kvpress rounds each layer on its own, so its total can miss L·n by a few tokens; kvsim rounds
 * with largest remainders so the total is exact.
 */
export const pyramidkvAllocator: BudgetAllocator = {
  name: "pyramidkv", source: "arXiv:2406.02069; kvpress PyramidKVPress (beta 20, window 64)",
  summary: "per-layer budgets on a line shrinking with depth, mean = the uniform budget",
  allocate({ views, perHead, context, options }) {
    const layers = views.length;
    const w = options.pyramidWindow;
    let min = perHead / options.pyramidBeta;
    let max = 2 * perHead - min;
    if (max >= context - w) {
      max = context - w;
      min = 2 * perHead - max;
    }
    const pyramid = layers > 1 && context >= max && max >= min && min >= w;
    const perLayer = pyramid
      ? roundToTotal(Array.from({ length: layers }, (_, l) => max - (l * (max - min)) / (layers - 1)), layers * perHead)
      : Array.from({ length: layers }, () => perHead);
    // Every head of a layer keeps the layer's budget (kvpress: one topk per head with n_kept).
    return { budgets: views.map((layer, l) => layer.map(() => perLayer[l]!)) };
  },
};
