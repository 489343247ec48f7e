import { KvsimInputError } from "../errors.js";
import { KHL_DEFAULT_SCENARIOS } from "../hierarchy/presets.js";
import { POLICIES } from "../policies/registry.js";
import { KHL_DEFAULT_WORKLOADS } from "../workloads/registry.js";
import type { SweepSpecInput } from "./spec.js";

/** kv-hierarchy-lab's six policies, in its order. */
const KHL_POLICIES = ["lru", "windowed_recency", "heavy_hitter", "cost_aware", "predictive", "regret_aware"];

/** Python's repr of a float, as kv-hierarchy-lab prints weights in its policy names (6.0, not 6). */
const pyFloat = (x: number): string => (Number.isInteger(x) ? x.toFixed(1) : String(x));

export interface SweepPreset {
  name: string;
  summary: string;
  /** The spec; `traces` (a kv-hierarchy-lab traces.json) replaces the generators with its entries. */
  spec(traces?: string): SweepSpecInput;
}

/** The generators' workloads, or the same workloads read from a khl-json trace list by name. */
function workloads(entries: { name: string; params?: Record<string, number>; label?: string }[], traces?: string): SweepSpecInput["workloads"] {
  return entries.map((w) => (traces
    ? { trace: traces, format: "khl-json" as const, workload: w.name }
    : { name: w.name, params: w.params ?? {}, ...(w.label ? { label: w.label } : {}) }));
}

export const SWEEP_PRESETS: readonly SweepPreset[] = [
  {
    name: "policy-comparison",
    summary: "every kvsim-profile policy on the seven kv-hierarchy-lab workloads, 2 scenarios, 3 generator seeds (what `npm start` runs)",
    spec: (traces) => ({
      name: "policy-comparison",
      description: "Every policy of the kvsim profile on kv-hierarchy-lab's workloads; seeds vary the generators, so the summary has confidence intervals.",
      profile: "kvsim",
      scenarios: ["small_fp16_prefetch", "constrained_fp16_prefetch"],
      workloads: workloads(KHL_DEFAULT_WORKLOADS.map((name) => ({ name })), traces),
      policies: POLICIES.filter((p) => p.profiles.includes("kvsim")).map((p) => p.name),
      seeds: [1, 2, 3],
    }),
  },
  {
    name: "khl-default",
    summary: "kv-hierarchy-lab's default sweep: 5 scenarios × 7 workloads × 6 policies, khl profile (210 rows)",
    spec: (traces) => ({
      name: "khl-default",
      description: "kv-hierarchy-lab scripts/run_benchmarks.py: default parameters, generators' own seeds.",
      profile: "khl",
      scenarios: [...KHL_DEFAULT_SCENARIOS],
      workloads: workloads(KHL_DEFAULT_WORKLOADS.map((name) => ({ name })), traces),
      policies: KHL_POLICIES,
    }),
  },
  {
    name: "khl-regret-ablation",
    summary: "kv-hierarchy-lab's regret ablation: 2 scenarios × 3 workloads × 11 policies × 3 seeds, khl profile (198 rows)",
    spec: (traces) => ({
      name: "khl-regret-ablation",
      description: "kv-hierarchy-lab scripts/run_regret_ablation.py: medium (÷3) and constrained (÷6), prefetch off.",
      profile: "khl",
      scenarios: ["medium", "constrained"],
      // Labelled by name, as kv-hierarchy-lab names them, not by their parameter overrides.
      workloads: workloads([
        { name: "chat_continuation", params: { num_pages: 80, length: 512 }, label: "chat_continuation" },
        { name: "periodic_reuse", params: { num_pages: 96, length: 640, period: 11 }, label: "periodic_reuse" },
        { name: "adversarial_burst", params: { num_pages: 112, length: 640, burst_size: 14 }, label: "adversarial_burst" },
      ], traces),
      policies: ["lru", "cost_aware", ...[1, 6, 12].flatMap((w) => [8, 24, 64].map((h) => ({
        name: "regret_aware", params: { regret_weight: w, regret_horizon: h }, label: `regret_aware_w${pyFloat(w)}_h${h}`,
      })))],
      seeds: [7, 42, 91],
    }),
  },
];

export function sweepPreset(name: string): SweepPreset {
  const preset = SWEEP_PRESETS.find((p) => p.name === name);
  if (!preset) throw new KvsimInputError(`unknown sweep preset "${name}" (known: ${SWEEP_PRESETS.map((p) => p.name).join(", ")})`);
  return preset;
}
