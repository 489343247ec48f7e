import { KvsimInputError } from "../../errors.js";
import { instantiateEngine, type EngineExports } from "../../wasm/engine-module.js";
import type { RequestTrace } from "../../traces/formats/mooncake.js";
import { contains, type BoxSpace, type DiscreteSpace, type Env, type ResetOptions, type StepResult } from "../spaces.js";
import { NPA, TASKS, type NpaTask } from "./npa/constants.js";

export const SERVING_ACTIONS = [
  "do_nothing", "admit_next_vip", "admit_next_free", "admit_while_fits", "swap_out_newest_free", "swap_out_newest_vip",
  "swap_in_oldest", "recompute_newest", "reject_next_free",
] as const;

export const SERVING_OBSERVATION = [
  "gpu_used", "cpu_used", "gpu_cached", "free_queue", "vip_queue", "free_head_wait", "vip_head_wait", "free_head_blocks",
  "vip_head_blocks", "running", "swapped", "growth_pressure", "stalled", "time", "free_head_cached", "vip_head_cached",
] as const;

/**
 * The WASM counters (assembly/serving/sim.ts, C_*) by name. Written out as one object literal so
 * that every step builds its counters with a single fixed shape (a keyed-store loop was slower).
 */
const countersOf = (v: Float64Array) => ({
  arrived: v[0]!, dropped: v[1]!, admitted: v[2]!, completed: v[3]!, sloMet: v[4]!, rejected: v[5]!, slaMisses: v[6]!,
  tokens: v[7]!, stalls: v[8]!, swappedBlocks: v[9]!, prefixHitBlocks: v[10]!, arrivedWeight: v[11]!, metWeight: v[12]!,
  failedActions: v[13]!, recomputes: v[14]!, returning: v[15]!,
});
export type ServingCounters = ReturnType<typeof countersOf>;
const COUNTER_COUNT = Object.keys(countersOf(new Float64Array(0))).length;

export interface ServingInfo extends Record<string, unknown> {
  tick: number;
  /** The action could not be carried out (no room, empty queue…); nothing changed. */
  actionFailed: boolean;
  counters: ServingCounters;
  score: number;
}

/**
 * The default preset's hardware, sized so that the tasks mean what their names say: easy is
 * lightly loaded, medium's mean load fits but its wave peaks do not, hard is overloaded ~1.8×.
 * 16,384 GPU blocks of 16 tokens = 262K tokens of KV (an 80 GB GPU holding a Llama-3-8B-sized
 * model's cache), a decode batch of 256 sequences (vLLM's default `max_num_seqs`), 16 decode
 * iterations per tick. NeuralPagedAttention's 1,000 blocks and 12 sequences cannot serve its own
 * medium and hard traffic at all, which is why its score divides by 0.40 and 0.15.
 */
export const SERVING_DEFAULTS = { gpuBlocks: 16384, cpuBlocks: 65536, batchLimit: 256, tokensPerTick: 16 } as const;

export interface ServingEnvOptions {
  task: NpaTask;
  /** Block pool sizes, in 16-token blocks. */
  gpuBlocks?: number;
  cpuBlocks?: number;
  /** Sequences decoded per tick. */
  batchLimit?: number;
  /** Tokens each decoded sequence gains per tick. */
  tokensPerTick?: number;
  /** Request slots: queued + resident + swapped requests at once (default 2048). */
  slots?: number;
  /**
   * Replay a request trace (Mooncake JSONL) instead of drawing traffic: request i arrives at
   * tick floor(timestamp / tickMs), free class, its prompt blocks hashed by the trace's block ids.
   * The pool then uses the trace's block size (`traceBlockTokens`, Mooncake's 512).
   */
  trace?: RequestTrace;
  /** Milliseconds per tick when replaying a trace (default 100). */
  tickMs?: number;
  traceBlockTokens?: number;
}

/** Trace replay: TTFT SLA 5 s at 100 ms a tick; the run goes on 60 s after the last arrival. */
const TRACE = { slaTicks: 50, drainTicks: 600, blockTokens: 512, tokensPerTick: 4 };

const SHAPES = { flat: 0, wave: 1, spike: 2 } as const;
/** Time to first token allowed on easy, which has no SLA in NeuralPagedAttention. */
const EASY_SLA = { free: 200, vip: 100 };

/**
 * kvsim's serving environment, the default preset (assembly/serving/sim.ts, docs/envs.md): the
 * WASM block pool with prefix caching, NeuralPagedAttention's traffic shapes drawn from
 * agent-independent streams, stalls instead of crashes, exactly `maxTicks` steps, and a score of
 * class-weighted SLO attainment. One WASM instance per env; a step crosses the boundary once.
 */
export class ServingEnv implements Env<number[], number, ServingInfo> {
  readonly id: string;
  readonly actionSpace: DiscreteSpace = { type: "Discrete", n: SERVING_ACTIONS.length, labels: SERVING_ACTIONS };
  readonly observationSpace: BoxSpace = {
    type: "Box", shape: [SERVING_OBSERVATION.length], labels: SERVING_OBSERVATION,
    low: SERVING_OBSERVATION.map((n) => (n === "growth_pressure" ? -1 : 0)), high: SERVING_OBSERVATION.map(() => 1),
  };
  readonly task: NpaTask;
  private readonly wasm: EngineExports;
  private obs!: Float64Array;
  private counterView!: Float64Array;
  private ended = true;

  constructor(options: ServingEnvOptions, engine: EngineExports = instantiateEngine()) {
    const config = TASKS[options.task];
    if (!config) throw new KvsimInputError(`unknown task "${options.task}" (easy, medium, hard)`);
    this.task = options.task;
    this.id = options.trace ? "kvsim/Serving-trace-v0" : `kvsim/Serving-${options.task}-v0`;
    this.wasm = engine;
    engine.resetArena();
    if (options.trace) {
      this.setupTrace(options, options.trace);
      return;
    }
    engine.servingSetup(
      options.gpuBlocks ?? SERVING_DEFAULTS.gpuBlocks, options.cpuBlocks ?? SERVING_DEFAULTS.cpuBlocks, NPA.tokensPerBlock, config.maxTicks,
      options.batchLimit ?? SERVING_DEFAULTS.batchLimit, options.tokensPerTick ?? SERVING_DEFAULTS.tokensPerTick, config.vipRatio, config.powerUserPct, SHAPES[config.traffic],
      config.slaFree ?? EASY_SLA.free, config.slaVip ?? EASY_SLA.vip, NPA.freeQueueMax, NPA.vipQueueMax, NPA.returningRatio,
      NPA.maxRequestTokens, options.slots ?? 2048,
    );
  }

  /** Same KV bytes as the default hardware, in the trace's block size; arrivals copied into WASM once. */
  private setupTrace(options: ServingEnvOptions, trace: RequestTrace): void {
    const engine = this.wasm;
    const tickMs = options.tickMs ?? 100;
    if (!(tickMs > 0)) throw new KvsimInputError(`tickMs must be positive, got ${tickMs}`);
    const blockTokens = options.traceBlockTokens ?? TRACE.blockTokens;
    // Block ids become the pool's block hashes, where negative values are its own markers.
    const bad = trace.blocks.findIndex((b) => b < 0);
    if (bad >= 0) throw new KvsimInputError(`${trace.name}: block ${bad} has id ${trace.blocks[bad]}; block ids must be non-negative`);
    const scale = NPA.tokensPerBlock / blockTokens;
    const n = trace.timestamps.length;
    const ticks = Int32Array.from(trace.timestamps, (ms) => Math.floor(ms / tickMs));
    let longest = 1;
    for (let i = 0; i < n; i++) longest = Math.max(longest, trace.inputLengths[i]! + Math.max(1, trace.outputLengths[i]!) + 1);
    engine.servingSetup(
      options.gpuBlocks ?? Math.max(1, Math.floor(SERVING_DEFAULTS.gpuBlocks * scale)), options.cpuBlocks ?? Math.floor(SERVING_DEFAULTS.cpuBlocks * scale),
      blockTokens, ticks[n - 1]! + TRACE.drainTicks, options.batchLimit ?? SERVING_DEFAULTS.batchLimit, options.tokensPerTick ?? TRACE.tokensPerTick,
      0, 0, 0, TRACE.slaTicks, TRACE.slaTicks, NPA.freeQueueMax, NPA.vipQueueMax, 0, longest, options.slots ?? 2048,
    );
    engine.servingSetTrace(n, trace.blocks.length);
    const view = (which: number, length: number) => new Int32Array(engine.memory.buffer, engine.servingTraceBuffer(which), length);
    view(0, n).set(ticks);
    view(1, n).set(trace.inputLengths);
    view(2, n).set(trace.outputLengths);
    view(3, n + 1).set(trace.offsets);
    view(4, trace.blocks.length).set(trace.blocks);
  }

  reset(options: ResetOptions = {}): { observation: number[]; info: ServingInfo } {
    this.wasm.servingReset(options.seed ?? 0);
    // Views are made after the last allocation of the setup; steps allocate nothing.
    this.obs = new Float64Array(this.wasm.memory.buffer, this.wasm.servingObservation(), SERVING_OBSERVATION.length);
    this.counterView = new Float64Array(this.wasm.memory.buffer, this.wasm.servingCounters(), COUNTER_COUNT);
    this.ended = false;
    return { observation: this.observation(), info: this.info(false) };
  }

  step(action: number): StepResult<number[], ServingInfo> {
    if (this.ended) throw new KvsimInputError(`${this.id}: step() after the episode ended; call reset()`);
    if (!contains(this.actionSpace, action)) throw new KvsimInputError(`${this.id}: action ${JSON.stringify(action)} is outside Discrete(${this.actionSpace.n})`);
    const failed = this.wasm.servingStep(action) === 1;
    const truncated = this.wasm.servingDone() === 1;
    this.ended = truncated;
    return { observation: this.observation(), reward: this.wasm.servingReward(), terminated: false, truncated, info: this.info(failed) };
  }

  /** Class-weighted SLO attainment so far: weight of requests served within SLA / weight of arrivals. */
  score(): number {
    return this.wasm.servingScore();
  }

  /** The built-in vLLM-like scheduler's choice for the current state. */
  schedulerAction(): number {
    return this.wasm.servingSchedulerAction();
  }

  /** Plays up to `steps` steps with the built-in scheduler entirely inside WASM. */
  runScheduler(steps: number): number {
    const n = this.wasm.servingRunScheduler(steps);
    this.ended = this.wasm.servingDone() === 1;
    return n;
  }

  /** Throws if a request is in two places or the block pool's invariants fail. */
  check(): void {
    const code = this.wasm.servingCheck();
    const what = ["", "a queued request or free slot holds blocks", "a running request is not on the GPU",
      "a swapped request is not on the CPU", "a queue or list disagrees with a request's state", "the block pool's invariants fail"];
    if (code !== 0) throw new Error(`${this.id}: invariant ${code} broken: ${what[code]}`);
  }

  counters(): ServingCounters {
    return countersOf(this.counterView);
  }

  /** A copy of the WASM observation (a plain loop: Array.from on a typed array was slower). */
  private observation(): number[] {
    const view = this.obs;
    const out = new Array<number>(view.length);
    for (let i = 0; i < view.length; i++) out[i] = view[i]!;
    return out;
  }

  private info(failed: boolean): ServingInfo {
    return { tick: this.wasm.servingTick(), actionFailed: failed, counters: this.counters(), score: this.score() };
  }
}
