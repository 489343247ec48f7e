import { KvsimInputError } from "../../errors.js";
import {
  BLOCK_TYPE_MIX, BLOCK_TYPES, CAPACITY_TOKENS, DIFFICULTIES, DIFFICULTY, MAX_STEPS, PAGE_TOKENS,
  type BlockType, type Difficulty, type Phase,
} from "./constants.js";
import { Draws } from "./random-stream.js";

/** A sequence as it enters the cache (initial entries and admitted requests alike). */
export interface SequenceSpec {
  /** Numeric id; the tools name it `s<id>`. */
  id: number;
  blockType: BlockType;
  /** Tokens held when it enters, shared prefix included. */
  tokens: number;
  sequenceLength: number;
  tokenGenRate: number;
  priority: number;
  phase: Phase;
  hotness: number;
  /** Index into `Scenario.prefixTokens`, or -1. */
  prefix: number;
}

/** Everything random about one episode, drawn before it starts, so no action can change it. */
export interface Scenario {
  difficulty: Difficulty;
  scenarioSeed: number;
  /** Fraction of capacity. */
  memoryBudget: number;
  /** Tokens of each shared prefix group `p0, p1, …` (fp16, counted once while referenced). */
  prefixTokens: number[];
  initial: SequenceSpec[];
  /** arrivals[0] waits in the queue at the start; arrivals[t + 1] arrive during step t. */
  arrivals: SequenceSpec[][];
}

const STREAM_SCENARIO = 1;
const STREAM_ARRIVALS = 2;
/** Share of sequences that reference a shared prefix (ours, after the source's system prompts). */
const SHARED_SHARE = 0.4;

function pages(tokens: number): number {
  return Math.ceil(tokens / PAGE_TOKENS);
}

function drawType(d: Draws): BlockType {
  return BLOCK_TYPES[d.pick(BLOCK_TYPE_MIX)]!;
}

/** Phase of a sequence already in the cache: system and context prompts sit idle, the rest generate. */
function residentPhase(type: BlockType): Phase {
  if (type === "system" || type === "context") return "idle";
  return type === "reasoning" ? "reasoning" : "decode";
}

function drawSequence(d: Draws, id: number, type: BlockType, tokens: number, phase: Phase, prefixCount: number): SequenceSpec {
  const prefix = prefixCount > 0 && d.uniform() < SHARED_SHARE ? d.int(0, prefixCount - 1) : -1;
  return {
    id, blockType: type, tokens, sequenceLength: 0, phase, prefix,
    tokenGenRate: phase === "idle" ? 0 : Math.round(d.between(0.5, 3.0) * 100) / 100,
    priority: Math.round((type === "system" ? d.between(0.8, 1.0) : d.uniform()) * 100) / 100,
    hotness: Math.round(d.uniform() * 100) / 100,
  };
}

/** Private (unshared) pages of a spec at fp16. */
function privateTokens(s: SequenceSpec, prefixTokens: number[]): number {
  return s.tokens - (s.prefix >= 0 ? prefixTokens[s.prefix]! : 0);
}

/**
 * One scenario from its seed alone: budget, 2–3 prefix groups, the initial sequences scaled so the
 * initial normalized usage lands in the difficulty's range, and every step's arrivals.
 */
export function generateScenario(difficulty: Difficulty, scenarioSeed: number): Scenario {
  const p = DIFFICULTY[difficulty];
  const d = new Draws(scenarioSeed, STREAM_SCENARIO);
  const memoryBudget = Math.round(d.between(p.budget[0], p.budget[1]) * 1000) / 1000;
  const prefixTokens = Array.from({ length: d.int(2, 3) }, () => PAGE_TOKENS * d.int(4, 8));
  const count = d.int(p.initialEntries[0], p.initialEntries[1]);
  const initial: SequenceSpec[] = [];
  for (let i = 0; i < count; i++) {
    const type = drawType(d);
    const s = drawSequence(d, i, type, d.int(256, 2048), residentPhase(type), prefixTokens.length);
    if (s.prefix >= 0) s.tokens += prefixTokens[s.prefix]!;
    initial.push(s);
  }
  // Scale the private parts so usage / budget hits a target in the difficulty's range.
  const target = d.between(p.initialUsage[0], p.initialUsage[1]) * memoryBudget * CAPACITY_TOKENS;
  const used = new Set(initial.filter((s) => s.prefix >= 0).map((s) => s.prefix));
  const shared = [...used].reduce((sum, g) => sum + pages(prefixTokens[g]!) * PAGE_TOKENS, 0);
  const own = initial.reduce((sum, s) => sum + privateTokens(s, prefixTokens), 0);
  const scale = Math.max(0.05, (target - shared) / own);
  for (const s of initial) {
    const prefix = s.prefix >= 0 ? prefixTokens[s.prefix]! : 0;
    // Whole pages, rounded down, so page rounding cannot push the usage past its target.
    s.tokens = prefix + PAGE_TOKENS * Math.max(1, Math.floor((privateTokens(s, prefixTokens) * scale) / PAGE_TOKENS));
    s.sequenceLength = s.tokens + d.int(64, 512);
  }
  const arrivals: SequenceSpec[][] = [];
  const a = new Draws(scenarioSeed, STREAM_ARRIVALS);
  let nextId = count;
  for (let t = 0; t <= MAX_STEPS; t++) {
    let n = a.poisson(p.arrivalRate);
    if (p.burstProbability > 0 && a.uniform() < p.burstProbability) n += p.burstSize;
    const step: SequenceSpec[] = [];
    for (let k = 0; k < n; k++) {
      const type = drawType(a);
      const s = drawSequence(a, nextId++, type, a.int(128, 1024), "prefill", prefixTokens.length);
      if (s.prefix >= 0) s.tokens += prefixTokens[s.prefix]!;
      if (s.tokenGenRate === 0) s.tokenGenRate = Math.round(a.between(0.5, 3.0) * 100) / 100;
      s.sequenceLength = s.tokens + a.int(64, 512);
      step.push(s);
    }
    arrivals.push(step);
  }
  return { difficulty, scenarioSeed, memoryBudget, prefixTokens, initial, arrivals };
}

export interface LoadOptions {
  difficulty?: Difficulty | "all";
  /** Rows to keep; -1 (default) keeps all: 50 per difficulty. */
  numExamples?: number;
  seed?: number;
}

export interface ScenarioRow {
  index: number;
  difficulty: Difficulty;
  scenarioSeed: number;
}

export const ROWS_PER_DIFFICULTY = 50;

/**
 * The dataset, as `load_environment` builds it: `all` interleaves easy, medium and hard; row i's
 * scenario seed is `seed × 1,000,003 + i` (mod 2^32), so a row always replays identically.
 */
export function loadEnvironment(options: LoadOptions = {}): ScenarioRow[] {
  const difficulty = options.difficulty ?? "all";
  const seed = options.seed ?? 42;
  const numExamples = options.numExamples ?? -1;
  if (difficulty !== "all" && !DIFFICULTIES.includes(difficulty)) {
    throw new KvsimInputError(`difficulty: expected easy, medium, hard or all, got ${JSON.stringify(difficulty)}`);
  }
  if (!Number.isSafeInteger(seed) || seed < 0) throw new KvsimInputError(`seed: expected a non-negative integer, got ${seed}`);
  if (!Number.isSafeInteger(numExamples) || (numExamples < 1 && numExamples !== -1)) {
    throw new KvsimInputError(`num_examples: expected a positive integer or -1, got ${numExamples}`);
  }
  const size = numExamples > 0 ? numExamples : (difficulty === "all" ? 3 : 1) * ROWS_PER_DIFFICULTY;
  return Array.from({ length: size }, (_, i) => ({
    index: i,
    difficulty: difficulty === "all" ? DIFFICULTIES[i % 3]! : difficulty,
    scenarioSeed: Number((BigInt(seed) * 1_000_003n + BigInt(i)) % 4_294_967_296n),
  }));
}
