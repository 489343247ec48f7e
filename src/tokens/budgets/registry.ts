import { KvsimInputError } from "../../errors.js";
import { adakvAllocator } from "./adakv.js";
import type { BudgetAllocator } from "./allocator.js";
import { duoAttentionAllocator } from "./duo-attention.js";
import { pyramidkvAllocator } from "./pyramidkv.js";
import { uniformAllocator } from "./uniform.js";

/** Every budget allocator, registered once. */
export const BUDGET_ALLOCATORS: readonly BudgetAllocator[] = [uniformAllocator, adakvAllocator, pyramidkvAllocator, duoAttentionAllocator];

export function budgetAllocator(name: string): BudgetAllocator {
  const a = BUDGET_ALLOCATORS.find((x) => x.name === name);
  if (!a) throw new KvsimInputError(`unknown budget allocator "${name}" (known: ${BUDGET_ALLOCATORS.map((x) => x.name).join(", ")})`);
  return a;
}
