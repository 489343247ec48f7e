import { z } from "zod";
import { QUANTIZATION_SCHEMES } from "./quantization.js";

/** One level of the memory hierarchy. Latencies in ms, sizes in bytes, bandwidth in bytes/ms. */
export interface TierConfig {
  name: string;
  capacityBytes: number;
  readLatencyMs: number;
  writeLatencyMs: number;
  bandwidthBytesPerMs: number;
}

export interface PrefetchConfig {
  enabled: boolean;
  /** The engine keeps at most this many of a policy's prefetch candidates per access. */
  maxCandidates: number;
}

/** A hierarchy plus the storage format of its pages and its prefetch setting. */
export interface Scenario {
  name: string;
  tiers: TierConfig[];
  quantization: keyof typeof QUANTIZATION_SCHEMES;
  prefetch: PrefetchConfig;
  /** When set, every page holds this many scalars (a model's page), whatever the trace says. */
  pageScalars?: number;
  notes?: string;
}

const positive = z.number().finite().positive();
const nonNegative = z.number().finite().nonnegative();

export const tierSchema = z.strictObject({
  name: z.string().min(1),
  capacityBytes: positive.int().max(Number.MAX_SAFE_INTEGER),
  readLatencyMs: nonNegative,
  writeLatencyMs: nonNegative,
  bandwidthBytesPerMs: positive,
});

/** Scenario files: `prefetch` may be a boolean or `{ enabled, maxCandidates }`. */
export const scenarioSchema = z
  .strictObject({
    name: z.string().min(1),
    tiers: z.array(tierSchema).min(1).max(8),
    quantization: z.enum(Object.keys(QUANTIZATION_SCHEMES) as [keyof typeof QUANTIZATION_SCHEMES]),
    prefetch: z
      .union([
        z.boolean(),
        z.strictObject({ enabled: z.boolean(), maxCandidates: z.number().int().min(0).max(64).default(2) }),
      ])
      .default(false)
      .transform((p): PrefetchConfig => (typeof p === "boolean" ? { enabled: p, maxCandidates: 2 } : p)),
    pageScalars: positive.int().optional(),
    notes: z.string().optional(),
  })
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    s.tiers.forEach((t, i) => {
      if (seen.has(t.name)) {
        ctx.addIssue({ code: "custom", path: ["tiers", i, "name"], message: `duplicate tier name "${t.name}"` });
      }
      seen.add(t.name);
    });
  });
