import * as z from "zod/mini";
import { KvsimInputError } from "../errors.js";
import { validate } from "../json-file.js";
import { streamSeed, Xoshiro128 } from "../tokens/rng.js";
import type { ServingRequest } from "./requests.js";

const positiveInt = z.int().check(z.gte(1));
const positive = z.number().check(z.gt(0));
const nonNegative = z.number().check(z.gte(0));
const minAtMostMax = z.refine<{ min?: number; max?: number }>((d) => d.min === undefined || d.max === undefined || d.min <= d.max, {
  message: "min must be at most max",
  path: ["max"],
});

/** A distribution of token counts; every draw is an integer ≥ 1. */
export const lengthDistSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("fixed"), value: positiveInt }),
  /** Every integer of [min, max] equally likely. */
  z.strictObject({ kind: z.literal("uniform"), min: positiveInt, max: positiveInt }).check(minAtMostMax),
  /** Rounded to an integer and clamped to [min, max] (min defaults to 1). */
  z.strictObject({ kind: z.literal("normal"), mean: z.number(), std: nonNegative, min: z.optional(positiveInt), max: z.optional(positiveInt) })
    .check(minAtMostMax),
  /** Drawn with replacement from a trace's lengths (`traceLengths`). */
  z.strictObject({ kind: z.literal("trace"), values: z.array(positiveInt).check(z.minLength(1)) }),
]);
export type LengthDist = z.output<typeof lengthDistSchema>;

/** When requests (or sessions) arrive: a Poisson process, gamma-distributed gaps, or constant gaps. */
export const arrivalProcessSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("poisson"), qps: positive }),
  /** Gaps with mean 1/qps and coefficient of variation `cv` (1 is Poisson, more is burstier). */
  z.strictObject({ kind: z.literal("gamma"), qps: positive, cv: positive }),
  z.strictObject({ kind: z.literal("fixed"), qps: positive }),
]);
export type ArrivalProcess = z.output<typeof arrivalProcessSchema>;

/** A synthetic workload (docs/formats.md, "Serving request traces"). */
export const syntheticWorkloadSchema = z.strictObject({
  /** Requests in all: with sessions, turns (the last sessions may be cut short). */
  requests: positiveInt,
  /** Arrivals of requests, or with sessions of sessions' first turns. */
  arrivals: arrivalProcessSchema,
  /** Prompt tokens; with sessions, the new user tokens of each turn. */
  prompt: lengthDistSchema,
  output: lengthDistSchema,
  sessions: z.optional(z.strictObject({
    turns: lengthDistSchema,
    /** Seconds from one turn's arrival to the next turn's. */
    thinkTimeS: nonNegative,
    /** A system prompt that begins every session's prompts. */
    systemPromptTokens: z._default(z.int().check(z.gte(0)), 0),
  })),
});
export type SyntheticWorkload = z.output<typeof syntheticWorkloadSchema>;
/** What a user may write (defaults not yet applied). */
export type SyntheticWorkloadInput = z.input<typeof syntheticWorkloadSchema>;

/** Sessions' prefixes are named in blocks of this many tokens. */
export const SESSION_BLOCK_TOKENS = 16;

/** One random stream per purpose, so that changing one distribution leaves the others' draws alone. */
const STREAM = { arrivals: 1, prompts: 2, outputs: 3, turns: 4 } as const;

/** A length distribution resampling the prompt or output lengths of `requests`. */
export function traceLengths(requests: readonly ServingRequest[], field: "prompt" | "output"): LengthDist {
  return { kind: "trace", values: requests.map((r) => r[field]) };
}

type Sampler = () => number;

function lengthSampler(dist: LengthDist, rng: Xoshiro128): Sampler {
  switch (dist.kind) {
    case "fixed":
      return () => dist.value;
    case "uniform":
      return () => dist.min + rng.below(dist.max - dist.min + 1);
    case "normal": {
      const min = dist.min ?? 1;
      const max = dist.max ?? Infinity;
      return () => Math.min(max, Math.max(min, Math.round(dist.mean + dist.std * rng.normal())));
    }
    case "trace":
      return () => dist.values[rng.below(dist.values.length)]!;
  }
}

/** Gamma(shape, 1) by Marsaglia and Tsang's method; shapes below 1 through the boost Gamma(shape + 1)·U^(1/shape). */
function gammaVariate(rng: Xoshiro128, shape: number): number {
  if (shape < 1) return gammaVariate(rng, shape + 1) * rng.uniformOpen() ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.uniformOpen();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** The arrival times of a process, one per call, nondecreasing; the first is 0. */
function arrivalClock(process: ArrivalProcess, rng: Xoshiro128): Sampler {
  // The k-th arrival of constant gaps is k / qps exactly, rather than a sum drifting by rounding.
  if (process.kind === "fixed") {
    let k = 0;
    return () => k++ / process.qps;
  }
  // Gamma gaps of shape 1/cv² and scale cv²/qps have mean 1/qps and coefficient of variation cv.
  const gap: Sampler = process.kind === "poisson"
    ? () => -Math.log(rng.uniformOpen()) / process.qps
    : () => gammaVariate(rng, 1 / process.cv ** 2) * process.cv ** 2 / process.qps;
  let time = 0;
  return () => {
    const t = time;
    time += gap();
    return t;
  };
}

interface Samplers {
  arrival: Sampler;
  prompt: Sampler;
  output: Sampler;
}

function* singleTurns(n: number, draw: Samplers): Generator<ServingRequest> {
  for (let i = 0; i < n; i++) yield { arrival: draw.arrival(), prompt: draw.prompt(), output: draw.output() };
}

/** A conversation in progress: what its next turn's prompt starts with, and when that turn comes. */
interface Session {
  id: number;
  turnsLeft: number;
  nextArrival: number;
  /** Tokens of the conversation so far (system prompt, user turns and outputs). */
  tokens: number;
  /** Ids of the conversation's full blocks named so far. */
  blockIds: number[];
}

/**
 * First-in first-out queue with amortized O(1) removal. Sessions waiting for their next turn come
 * out in arrival order because they go in in arrival order and all wait the same think time.
 */
class WaitingSessions {
  private items: Session[] = [];
  private head = 0;

  get first(): Session | undefined {
    return this.items[this.head];
  }

  push(session: Session): void {
    this.items.push(session);
  }

  shift(): Session {
    const session = this.items[this.head++]!;
    // Drop the taken half now and then so that a long stream does not keep ended sessions alive.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return session;
  }
}

/**
 * Multi-turn requests in arrival order: sessions start at the arrival process's times and each
 * next turn comes `thinkTimeS` after the previous turn's arrival (completions are not known before
 * the simulation). A turn's prompt is the conversation so far plus new user tokens, and its content
 * ids name the whole turn, prompt and output, so the next turn's prompt hits the blocks this turn
 * wrote (the system prompt's are shared by every session); a partial last block gets an id of its
 * own, as its content differs from the next turn's block there.
 */
function* sessionTurns(n: number, sessions: NonNullable<SyntheticWorkload["sessions"]>, draw: Samplers, turns: Sampler): Generator<ServingRequest> {
  const systemIds = Array.from({ length: Math.floor(sessions.systemPromptTokens / SESSION_BLOCK_TOKENS) }, (_, i) => i);
  let nextId = systemIds.length;
  let started = 0;
  let nextStart = draw.arrival();
  const waiting = new WaitingSessions();
  for (let i = 0; i < n; i++) {
    // On a tie the waiting session goes first.
    const follower = waiting.first;
    let session: Session;
    if (follower && follower.nextArrival <= nextStart) {
      session = waiting.shift();
    } else {
      session = { id: started++, turnsLeft: turns(), nextArrival: nextStart, tokens: sessions.systemPromptTokens, blockIds: [...systemIds] };
      nextStart = draw.arrival();
    }
    const prompt = session.tokens + draw.prompt();
    const output = draw.output();
    const tokens = prompt + output;
    const fullBlocks = Math.floor(tokens / SESSION_BLOCK_TOKENS);
    while (session.blockIds.length < fullBlocks) session.blockIds.push(nextId++);
    const ids = session.blockIds.slice(0, fullBlocks);
    if (tokens % SESSION_BLOCK_TOKENS) ids.push(nextId++);
    yield { arrival: session.nextArrival, prompt, output, content: { blockTokens: SESSION_BLOCK_TOKENS, tokens, ids }, session: session.id };
    session.tokens = tokens;
    session.nextArrival += sessions.thinkTimeS;
    if (--session.turnsLeft > 0) waiting.push(session);
  }
}

function checkSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new KvsimInputError(`seed must be an integer in [0, 2^32), got ${seed}`);
}

/**
 * The requests of a synthetic workload, one at a time in arrival order, so that a long run need
 * not hold them all. The same spec and seed give the same requests. The spec is validated now,
 * before the first request; `source` names it in errors.
 */
export function syntheticStream(spec: SyntheticWorkloadInput, seed: number, source = "synthetic workload"): Generator<ServingRequest> {
  const s = validate(syntheticWorkloadSchema, spec, source);
  checkSeed(seed);
  // streamSeed's layer and head index the token generator's streams; one stream per purpose here.
  const rng = (purpose: number) => new Xoshiro128(streamSeed(seed, purpose, 0, 0));
  const draw: Samplers = {
    arrival: arrivalClock(s.arrivals, rng(STREAM.arrivals)),
    prompt: lengthSampler(s.prompt, rng(STREAM.prompts)),
    output: lengthSampler(s.output, rng(STREAM.outputs)),
  };
  if (!s.sessions) return singleTurns(s.requests, draw);
  return sessionTurns(s.requests, s.sessions, draw, lengthSampler(s.sessions.turns, rng(STREAM.turns)));
}

/** All the requests of a synthetic workload, sorted by arrival (`syntheticStream` as an array). */
export function syntheticRequests(spec: SyntheticWorkloadInput, seed: number, source?: string): ServingRequest[] {
  return Array.from(syntheticStream(spec, seed, source));
}

/**
 * A workload spec at another rate (its arrival process's QPS), as `--qps` and a serving sweep's
 * `qps` set it; a spec without arrivals is left for validation to refuse.
 */
export function specAtQps(spec: SyntheticWorkloadInput, qps: number): SyntheticWorkloadInput {
  const arrivals = spec && typeof spec === "object" && spec.arrivals && typeof spec.arrivals === "object" ? spec.arrivals : undefined;
  return arrivals ? { ...spec, arrivals: { ...arrivals, qps } } : spec;
}
