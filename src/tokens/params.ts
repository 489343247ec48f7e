import * as z from "zod/mini";

export const PROFILES = ["streaming", "retrieval", "mixed"] as const;
export type HeadProfile = (typeof PROFILES)[number];

/** Logit gains of a head profile (docs/tokens.md). */
export interface ProfileGains {
  gSink: number;
  gHeavy: number;
  gLocal: number;
  /** Recency slope: logits per `recencyScale` tokens of distance. */
  lambda: number;
  gRet: number;
  /** Share of the layer's retrieval events this head takes part in. */
  joinProb: number;
}

export const PROFILE_GAINS: Record<HeadProfile, ProfileGains> = {
  streaming: { gSink: 14, gHeavy: 0, gLocal: 6, lambda: 2.0, gRet: 0, joinProb: 0 },
  retrieval: { gSink: 5, gHeavy: 2, gLocal: 0, lambda: 0.0, gRet: 11, joinProb: 0.75 },
  mixed: { gSink: 10, gHeavy: 8, gLocal: 3, lambda: 0.5, gRet: 10, joinProb: 0.375 },
};

const positiveInt = z.int().check(z.gte(1), z.lte(1 << 20));
const nonNegative = z.number().check(z.gte(0));

/** Generator parameters; every one has the default of docs/tokens.md. */
export const tokenTraceParamsSchema = z.strictObject({
  /** The data: token types, events, amplitudes, noise. */
  seed: z._default(z.int().check(z.gte(0), z.lte(0xffffffff)), 1),
  /**
   * The "model": each head's key and value directions. Traces with the same modelSeed and
   * different seeds are different inputs to the same model, which is what a learned per-head
   * policy can generalize across (held-out seeds).
   */
  modelSeed: z._default(z.int().check(z.gte(0), z.lte(0xffffffff)), 1),
  layers: z._default(positiveInt, 1),
  kvHeads: z._default(positiveInt, 8),
  groupSize: z._default(positiveInt, 1),
  headDim: z._default(z.int().check(z.gte(8), z.lte(512)), 64),
  contextTokens: z._default(z.int().check(z.gte(384), z.lte(1 << 17)), 4096),
  futureTokens: z._default(positiveInt, 512),
  profiles: z._default(z.array(z.enum(PROFILES)).check(z.minLength(1)), [...PROFILES]),
  nSink: z._default(z.int().check(z.gte(0), z.lte(64)), 4),
  needleCount: z._default(z.int().check(z.gte(0), z.lte(256)), 8),
  decoyCount: z._default(z.int().check(z.gte(0), z.lte(256)), 8),
  heavyFrac: z._default(z.number().check(z.gte(0), z.lte(0.5)), 0.02),
  localFrac: z._default(z.number().check(z.gte(0), z.lte(0.5)), 0.2),
  keyMean: z._default(nonNegative, 1.5),
  typeSignal: z._default(nonNegative, 0.5),
  sinkSignal: z._default(nonNegative, 1.0),
  idSignal: z._default(nonNegative, 2.0),
  ampJitter: z._default(nonNegative, 0.5),
  keyNoise: z._default(nonNegative, 2.0),
  valueTypeSignal: z._default(nonNegative, 0.5),
  valueIdSignal: z._default(nonNegative, 1.0),
  valueNoise: z._default(nonNegative, 1.0),
  queryNoise: z._default(nonNegative, 1.0),
  recencyScale: z._default(z.number().check(z.gt(0)), 64),
  recencyCap: z._default(positiveInt, 512),
  layerEventsPerNeedle: z._default(z.number().check(z.gte(0), z.lte(10)), 2.0),
  ctxEventsPerNeedle: z._default(z.number().check(z.gte(0), z.lte(10)), 0.5),
  questionHint: z._default(z.number().check(z.gte(0), z.lte(1)), 0.5),
  obsWindow: z._default(z.int().check(z.gte(1), z.lte(1024)), 64),
  /** Every `h2oStride`-th context query feeds the H2O accumulation (the last obsWindow always do); 0 = ceil(T / 1024). */
  h2oStride: z._default(z.int().check(z.gte(0)), 0),
  gqaReduce: z._default(z.enum(["max", "mean"]), "max"),
  /** RoPE base: keys and queries are stored rotated at their positions (HF rotate_half); 0 = no RoPE. */
  ropeTheta: z._default(z.union([z.literal(0), z.number().check(z.gt(1), z.lte(1e9))]), 0),
});

export type TokenTraceParams = z.output<typeof tokenTraceParamsSchema>;
export type TokenTraceParamsInput = z.input<typeof tokenTraceParamsSchema>;
