import type { BudgetAllocator } from "./allocator.js";

/**
 * AdaKV (Feng et al., arXiv:2407.11550) as kvpress's AdaKVPress.compress (adakv_press.py): per
 * layer, each head's top n_safe = int(n_kept · alpha_safeguard) tokens are kept first, then one
 * top-k over all heads of the layer fills the layer's total of kvHeads × n_kept. Scores are
 * compared across heads as they are. Ties across heads: larger position, then lower head.
 */
export const adakvAllocator: BudgetAllocator = {
  name: "adakv", source: "arXiv:2407.11550; kvpress AdaKVPress (alpha_safeguard 0.20)",
  summary: "one top-k over all heads of a layer, each head keeping at least alpha_safeguard of the uniform budget",
  allocate({ scores, views, perHead, options }) {
    const safe = Math.floor(perHead * options.alphaSafeguard);
    return {
      budgets: scores.map((layer, l) => {
        const candidates: { score: number; pos: number; head: number }[] = [];
        const counts = layer.map((s, h) => {
          const pos = views[l]![h]!.positions;
          const order = Array.from(s.keys()).sort((a, b) => s[b]! - s[a]! || pos[b]! - pos[a]!);
          for (const i of order.slice(safe)) candidates.push({ score: s[i]!, pos: pos[i]!, head: h });
          return Math.min(safe, s.length);
        });
        const rest = layer.length * perHead - counts.reduce((a, b) => a + b, 0);
        candidates.sort((a, b) => b.score - a.score || b.pos - a.pos || a.head - b.head);
        for (const c of candidates.slice(0, rest)) counts[c.head]!++;
        return counts;
      }),
    };
  },
};
