import type { Scenario, TierConfig } from "./scenario.js";

/** kv-hierarchy-lab's base hierarchy (`bench/scenarios.py::default_tier_configs`). */
const KHL_BASE_TIERS: TierConfig[] = [
  { name: "tier0_gpu_fast", capacityBytes: 128000, readLatencyMs: 0.02, writeLatencyMs: 0.02, bandwidthBytesPerMs: 80000 },
  { name: "tier1_gpu_overflow", capacityBytes: 256000, readLatencyMs: 0.06, writeLatencyMs: 0.06, bandwidthBytesPerMs: 40000 },
  { name: "tier2_host_ram", capacityBytes: 1000000, readLatencyMs: 0.4, writeLatencyMs: 0.35, bandwidthBytesPerMs: 8000 },
  { name: "tier3_nvme_like", capacityBytes: 8000000, readLatencyMs: 2.5, writeLatencyMs: 2.0, bandwidthBytesPerMs: 2000 },
];

/** Every tier's capacity floor-divided by k (kv-hierarchy-lab scales all tiers, not just tier 0). */
export function scaledTiers(tiers: TierConfig[], k: number): TierConfig[] {
  return tiers.map((t) => ({ ...t, capacityBytes: Math.max(1, Math.floor(t.capacityBytes / k)) }));
}

function khl(name: string, k: number, quantization: Scenario["quantization"], prefetch: boolean, notes: string): Scenario {
  return { name, tiers: scaledTiers(KHL_BASE_TIERS, k), quantization, prefetch: { enabled: prefetch, maxCandidates: 2 }, notes };
}

const GiB = 1024 ** 3;
const TB = 1e12;
/** GB/s → bytes per ms. */
const gbps = (gigabytesPerSecond: number): number => gigabytesPerSecond * 1e6;

/**
 * Llama-3-8B KV page: 16 tokens × 32 layers × 8 KV heads × 128 head dim × 2 (K and V) scalars;
 * 2 MiB in fp16. Derivation and sources in docs/model.md.
 */
export const LLAMA3_8B_PAGE_SCALARS = 16 * 32 * 8 * 128 * 2;

/** Built-in scenarios by name. The `khl_*` ones are kv-hierarchy-lab's toy hierarchies. */
export const SCENARIO_PRESETS: Record<string, Scenario> = {
  small_fp16_prefetch: khl("small_fp16_prefetch", 2, "fp16", true, "kv-hierarchy-lab: all tiers ÷2, fp16, prefetch"),
  small_fp16_no_prefetch: khl("small_fp16_no_prefetch", 2, "fp16", false, "kv-hierarchy-lab: all tiers ÷2, fp16"),
  small_int4_no_prefetch: khl("small_int4_no_prefetch", 2, "int4", false, "kv-hierarchy-lab: all tiers ÷2, int4"),
  base_fp8_prefetch: khl("base_fp8_prefetch", 1, "fp8", true, "kv-hierarchy-lab: base tiers, fp8, prefetch"),
  constrained_fp16_prefetch: khl("constrained_fp16_prefetch", 4, "fp16", true, "kv-hierarchy-lab: all tiers ÷4, fp16, prefetch"),
  medium: khl("medium", 3, "fp16", false, "kv-hierarchy-lab regret ablation: all tiers ÷3, fp16"),
  constrained: khl("constrained", 6, "fp16", false, "kv-hierarchy-lab regret ablation: all tiers ÷6, fp16"),
  llama3_8b_h100: {
    name: "llama3_8b_h100",
    quantization: "fp16",
    prefetch: { enabled: false, maxCandidates: 2 },
    pageScalars: LLAMA3_8B_PAGE_SCALARS,
    notes: "Llama-3-8B (2 MiB fp16 pages of 16 tokens) on one H100 SXM 80GB: HBM3 KV budget, host DRAM over PCIe 5.0 x16, NVMe Gen4 SSD",
    tiers: [
      { name: "hbm3", capacityBytes: 56 * GiB, readLatencyMs: 0.0005, writeLatencyMs: 0.0005, bandwidthBytesPerMs: gbps(3350) },
      { name: "host_dram", capacityBytes: 512 * GiB, readLatencyMs: 0.01, writeLatencyMs: 0.01, bandwidthBytesPerMs: gbps(55) },
      { name: "nvme", capacityBytes: 7.68 * TB, readLatencyMs: 0.08, writeLatencyMs: 0.03, bandwidthBytesPerMs: gbps(7) },
    ],
  },
  llama3_8b_l4: {
    name: "llama3_8b_l4",
    quantization: "fp16",
    prefetch: { enabled: false, maxCandidates: 2 },
    pageScalars: LLAMA3_8B_PAGE_SCALARS,
    notes: "Llama-3-8B (2 MiB fp16 pages of 16 tokens) on one L4 24GB: GDDR6 KV budget, host DRAM over PCIe 4.0 x16, NVMe Gen4 SSD",
    tiers: [
      { name: "gddr6", capacityBytes: 4 * GiB, readLatencyMs: 0.001, writeLatencyMs: 0.001, bandwidthBytesPerMs: gbps(300) },
      { name: "host_dram", capacityBytes: 128 * GiB, readLatencyMs: 0.01, writeLatencyMs: 0.01, bandwidthBytesPerMs: gbps(25) },
      { name: "nvme", capacityBytes: 3.84 * TB, readLatencyMs: 0.08, writeLatencyMs: 0.03, bandwidthBytesPerMs: gbps(7) },
    ],
  },
};

/** The five scenarios of kv-hierarchy-lab's default sweep, in its order. */
export const KHL_DEFAULT_SCENARIOS = [
  "small_fp16_prefetch",
  "small_fp16_no_prefetch",
  "small_int4_no_prefetch",
  "base_fp8_prefetch",
  "constrained_fp16_prefetch",
] as const;

/**
 * The preset of this name, or undefined: a lookup of the registry's own keys only, so that
 * `constructor`, `toString` or `__proto__` name nothing (they are the object's, not presets).
 */
export function scenarioPreset(name: string): Scenario | undefined {
  return Object.hasOwn(SCENARIO_PRESETS, name) ? SCENARIO_PRESETS[name] : undefined;
}
