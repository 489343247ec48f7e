import type { BudgetAllocator } from "./allocator.js";

/** Every head of every layer keeps the same number of tokens (kvpress ScorerPress.compress). */
export const uniformAllocator: BudgetAllocator = {
  name: "uniform", source: "kvpress ScorerPress (one compression ratio for every head and layer)",
  summary: "every head keeps round(fraction × T) tokens",
  allocate({ views, perHead }) {
    return { budgets: views.map((layer) => layer.map(() => perHead)) };
  },
};
