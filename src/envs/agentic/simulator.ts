import {
  ADMIT_LIMIT, CAPACITY_TOKENS, EARLY_COMPLETION, EVICTION_VALUE, FAIL_AFTER_WAIT, MAX_STEPS, PAGE_TOKENS, QUANTIZATIONS,
  SWAP_LATENCY, type BlockType, type Phase, type Quantization,
} from "./constants.js";
import { uniformAt } from "./random-stream.js";
import type { Scenario, SequenceSpec } from "./scenario.js";

/** A sequence resident in the cache (the source's cache entry). */
export interface Entry {
  id: number;
  seqId: string;
  blockType: BlockType;
  tokensCached: number;
  sequenceLength: number;
  lastAccessStep: number;
  tokenGenRate: number;
  priority: number;
  /** 0 fp16, 1 int8, 2 int4. */
  quant: number;
  /** Index of the shared prefix group, or -1. */
  prefix: number;
  phase: Phase;
  hotness: number;
  isSwapped: boolean;
  /** Fractional tokens generated but not yet whole. */
  carry: number;
  /** Admission order (the overflow rule preempts the newest). */
  admitted: number;
}

export interface PendingRequest {
  spec: SequenceSpec;
  wait: number;
}

export interface EvictionRecord {
  blockType: BlockType;
  priority: number;
  progress: number;
}

/** What a tool did, as the tool message reports it. */
export type ToolOutcome =
  | { ok: true; action: string; seq_id?: string; level?: Quantization; freed?: number; memory_usage: number }
  | { ok: false; action: string; seq_id?: string; error: string };

const STREAM_COMPLETE = 11;
const STREAM_ACCESS = 12;
const STREAM_LATENCY = 13;

function pageTokens(tokens: number): number {
  return Math.ceil(tokens / PAGE_TOKENS) * PAGE_TOKENS;
}

/** Tool results and observations report fractions to 3 decimals. */
export const round3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * The kv_cache_eviction simulator (docs/envs.md). Memory is kept in integer token units (pages ×
 * 128 ÷ the quantization divisor), so usage is exact and independent of the order of operations.
 * A shared prefix costs its fp16 pages once while any sequence references it; each sequence's
 * private part is its own tokens beyond the prefix, quantized by `compress`.
 */
export class AgenticSimulator {
  readonly entries: Entry[] = [];
  readonly pending: PendingRequest[] = [];
  readonly memoryHistory: number[] = [];
  readonly evictionLog: EvictionRecord[] = [];
  step = 0;
  totalTokensGenerated = 0;
  failures = 0;
  totalSwapLatency = 0;
  timeAbove095 = 0;
  pendingQueueGrowth = 0;
  completed = 0;
  private readonly refs: number[];
  private readonly byId = new Map<string, Entry>();
  private usageUnits = 0;
  private admissions = 0;

  constructor(readonly scenario: Scenario) {
    this.refs = scenario.prefixTokens.map(() => 0);
    for (const spec of scenario.initial) this.admit(spec);
    for (const spec of scenario.arrivals[0]!) this.pending.push({ spec, wait: 0 });
  }

  get memoryBudget(): number {
    return this.scenario.memoryBudget;
  }

  /** GPU usage as a fraction of capacity. */
  get memoryUsage(): number {
    return this.usageUnits / CAPACITY_TOKENS;
  }

  get normalizedUsage(): number {
    return this.memoryUsage / this.scenario.memoryBudget;
  }

  get done(): boolean {
    return this.step >= MAX_STEPS;
  }

  entry(seqId: string): Entry | undefined {
    return this.byId.get(seqId);
  }

  prefixTokens(e: Entry): number {
    return e.prefix >= 0 ? this.scenario.prefixTokens[e.prefix]! : 0;
  }

  /** GPU tokens of the entry's private pages (0 once swapped). */
  private privateUnits(e: Entry): number {
    return e.isSwapped ? 0 : pageTokens(e.tokensCached - this.prefixTokens(e)) >> e.quant;
  }

  private sharedUnits(prefix: number): number {
    return pageTokens(this.scenario.prefixTokens[prefix]!);
  }

  /** The entry's memory cost as a fraction of capacity: private pages plus its fair share of the prefix. */
  memoryCost(e: Entry): number {
    const shared = e.prefix >= 0 ? this.sharedUnits(e.prefix) / this.refs[e.prefix]! : 0;
    return (this.privateUnits(e) + shared) / CAPACITY_TOKENS;
  }

  progress(e: Entry): number {
    return Math.min(1, Math.max(0, e.tokensCached / e.sequenceLength));
  }

  evictionValue(e: Entry): number {
    return EVICTION_VALUE[e.blockType];
  }

  /**
   * What the next step will ask of memory, as a fraction of capacity: current usage, next step's
   * page growth, and every pending request admitted (for planners; the simulator does not use it).
   */
  projectedUsage(): number {
    let units = this.usageUnits;
    for (const e of this.entries) {
      if (e.isSwapped || e.phase === "idle") continue;
      const whole = Math.floor(e.carry + e.tokenGenRate);
      const own = e.tokensCached - this.prefixTokens(e);
      units += (pageTokens(own + whole) - pageTokens(own)) >> e.quant;
    }
    for (const p of this.pending) units += this.admissionUnits(p.spec);
    return units / CAPACITY_TOKENS;
  }

  /** Usage the spec would add if admitted now. */
  private admissionUnits(spec: SequenceSpec): number {
    const prefix = spec.prefix >= 0 ? this.scenario.prefixTokens[spec.prefix]! : 0;
    const shared = spec.prefix >= 0 && this.refs[spec.prefix] === 0 ? this.sharedUnits(spec.prefix) : 0;
    return pageTokens(spec.tokens - prefix) + shared;
  }

  private admit(spec: SequenceSpec): void {
    const e: Entry = {
      id: spec.id, seqId: `s${spec.id}`, blockType: spec.blockType, tokensCached: spec.tokens, sequenceLength: spec.sequenceLength,
      lastAccessStep: this.step, tokenGenRate: spec.tokenGenRate, priority: spec.priority, quant: 0, prefix: spec.prefix,
      phase: spec.phase, hotness: spec.hotness, isSwapped: false, carry: 0, admitted: this.admissions++,
    };
    this.usageUnits += this.admissionUnits(spec);
    if (e.prefix >= 0) this.refs[e.prefix]!++;
    this.entries.push(e);
    this.byId.set(e.seqId, e);
  }

  /** Removes an entry (evicted, completed or preempted) and returns the usage freed, in units. */
  private remove(e: Entry): number {
    let freed = this.privateUnits(e);
    if (e.prefix >= 0 && --this.refs[e.prefix]! === 0) freed += this.sharedUnits(e.prefix);
    this.usageUnits -= freed;
    this.entries.splice(this.entries.indexOf(e), 1);
    this.byId.delete(e.seqId);
    return freed;
  }

  // --- tools ------------------------------------------------------------------------------

  private unknown(action: string, seqId: string): ToolOutcome {
    return { ok: false, action, seq_id: seqId, error: `unknown seq_id "${seqId}"` };
  }

  evict(seqId: string): ToolOutcome {
    const e = this.byId.get(seqId);
    if (!e) return this.unknown("evict", seqId);
    this.evictionLog.push({ blockType: e.blockType, priority: e.priority, progress: this.progress(e) });
    const freed = this.remove(e);
    return { ok: true, action: "evict", seq_id: seqId, freed: round3(freed / CAPACITY_TOKENS), memory_usage: round3(this.memoryUsage) };
  }

  compress(seqId: string): ToolOutcome {
    const e = this.byId.get(seqId);
    if (!e) return this.unknown("compress", seqId);
    if (e.isSwapped) return { ok: false, action: "compress", seq_id: seqId, error: "swapped to CPU" };
    if (e.quant === 2) return { ok: false, action: "compress", seq_id: seqId, error: "already at int4" };
    const before = this.privateUnits(e);
    e.quant++;
    const freed = before - this.privateUnits(e);
    this.usageUnits -= freed;
    return { ok: true, action: "compress", seq_id: seqId, level: QUANTIZATIONS[e.quant]!, freed: round3(freed / CAPACITY_TOKENS), memory_usage: round3(this.memoryUsage) };
  }

  swapToCpu(seqId: string): ToolOutcome {
    const e = this.byId.get(seqId);
    if (!e) return this.unknown("swap_to_cpu", seqId);
    if (e.isSwapped) return { ok: false, action: "swap_to_cpu", seq_id: seqId, error: "already swapped" };
    const freed = this.privateUnits(e);
    e.isSwapped = true;
    this.usageUnits -= freed;
    return { ok: true, action: "swap_to_cpu", seq_id: seqId, freed: round3(freed / CAPACITY_TOKENS), memory_usage: round3(this.memoryUsage) };
  }

  keep(): ToolOutcome {
    return { ok: true, action: "keep", memory_usage: round3(this.memoryUsage) };
  }

  // --- time -------------------------------------------------------------------------------

  /** Advances one step after the turn's tool calls (the order of docs/envs.md). */
  advance(): void {
    if (this.done) throw new Error("the episode is over (15 steps)");
    const seed = this.scenario.scenarioSeed;
    const t = this.step;
    const queueBefore = this.pending.length;
    // Swapped sequences are accessed with probability `hotness`; each access costs latency.
    for (const e of this.entries) {
      if (e.isSwapped && uniformAt(seed, STREAM_ACCESS, e.id, t) < e.hotness) {
        this.totalSwapLatency += SWAP_LATENCY[0] + (SWAP_LATENCY[1] - SWAP_LATENCY[0]) * uniformAt(seed, STREAM_LATENCY, e.id, t);
      }
    }
    // Generation, page by page; then completion (done, or finished early).
    for (let i = 0; i < this.entries.length; i++) {
      const e = this.entries[i]!;
      if (!e.isSwapped && e.phase !== "idle") {
        e.carry += e.tokenGenRate;
        const whole = Math.floor(e.carry);
        if (whole > 0) {
          e.carry -= whole;
          const before = this.privateUnits(e);
          e.tokensCached += whole;
          this.usageUnits += this.privateUnits(e) - before;
          this.totalTokensGenerated += whole;
        }
        e.lastAccessStep = t;
        if (e.phase === "prefill") e.phase = e.blockType === "reasoning" ? "reasoning" : "decode";
      }
      if (e.tokensCached >= e.sequenceLength || uniformAt(seed, STREAM_COMPLETE, e.id, t) < EARLY_COMPLETION) {
        this.remove(e);
        this.completed++;
        i--;
      }
    }
    // Admission, oldest first, under the admission limit; a request that has waited 5 steps fails.
    const limit = ADMIT_LIMIT * this.scenario.memoryBudget * CAPACITY_TOKENS;
    for (let i = 0; i < this.pending.length; i++) {
      const p = this.pending[i]!;
      if (this.usageUnits + this.admissionUnits(p.spec) <= limit) {
        this.admit(p.spec);
      } else if (++p.wait < FAIL_AFTER_WAIT) {
        continue;
      } else {
        this.failures++;
      }
      this.pending.splice(i--, 1);
    }
    // Growth outran the agent: preempt the newest non-system resident sequence, each a failure.
    const budget = this.scenario.memoryBudget * CAPACITY_TOKENS;
    while (this.usageUnits > budget) {
      let victim: Entry | undefined;
      for (const e of this.entries) if (e.blockType !== "system" && !e.isSwapped && (!victim || e.admitted > victim.admitted)) victim = e;
      if (!victim) break;
      this.remove(victim);
      this.failures++;
    }
    for (const spec of this.scenario.arrivals[t + 1]!) this.pending.push({ spec, wait: 0 });
    const u = this.normalizedUsage;
    this.memoryHistory.push(u);
    if (u > 0.95) this.timeAbove095++;
    this.pendingQueueGrowth = this.pending.length - queueBefore;
    this.step++;
  }
}
