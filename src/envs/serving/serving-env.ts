import { KvsimInputError } from "../../errors.js";
import { layoutFields, type FieldName } from "../../wasm/instance.js";
import { BLOCK_POLICIES, blockEviction, type BlockEviction } from "../../wasm/block-eviction.js";
import { policyInfo } from "../../policies/registry.js";
import { ServingAction, ServingCounter, ServingInvariant, ServingObservation, ServingSim, TrafficShape } from "../../wasm/serving.js";
import type { RequestTrace } from "../../traces/formats/mooncake.js";
import { contains, restartSeed, type BoxSpace, type DiscreteSpace, type Env, type ResetOptions, type StepResult } from "../spaces.js";
import { NPA, TASKS, type NpaTask } from "./npa/constants.js";

/** The actions' labels, by id (the declared boundary, assembly/abi/serving.ts). */
export const SERVING_ACTIONS: readonly FieldName<typeof ServingAction>[] = layoutFields(ServingAction);
/** The observation's labels, by slot. */
export const SERVING_OBSERVATION: readonly FieldName<typeof ServingObservation>[] = layoutFields(ServingObservation);

export type ServingCounters = Record<FieldName<typeof ServingCounter>, number>;

/**
 * The counters by name, written out as one object literal so that every step builds them with a
 * single fixed shape (a keyed-store loop over the names was slower); `satisfies` has the compiler
 * check that it names every counter of the layout.
 */
const countersOf = (v: Float64Array): ServingCounters => ({
  arrived: v[ServingCounter.arrived]!, dropped: v[ServingCounter.dropped]!, admitted: v[ServingCounter.admitted]!,
  completed: v[ServingCounter.completed]!, sloMet: v[ServingCounter.sloMet]!, rejected: v[ServingCounter.rejected]!,
  slaMisses: v[ServingCounter.slaMisses]!, tokens: v[ServingCounter.tokens]!, stalls: v[ServingCounter.stalls]!,
  swappedBlocks: v[ServingCounter.swappedBlocks]!, prefixHitBlocks: v[ServingCounter.prefixHitBlocks]!,
  arrivedWeight: v[ServingCounter.arrivedWeight]!, metWeight: v[ServingCounter.metWeight]!,
  failedActions: v[ServingCounter.failedActions]!, recomputes: v[ServingCounter.recomputes]!, returning: v[ServingCounter.returning]!,
} satisfies ServingCounters);

const INVARIANTS: Record<ServingInvariant, string> = {
  [ServingInvariant.ok]: "",
  [ServingInvariant.idleHoldsBlocks]: "a queued request or free slot holds blocks",
  [ServingInvariant.runningOffGpu]: "a running request is not on the GPU",
  [ServingInvariant.swappedOffCpu]: "a swapped request is not on the CPU",
  [ServingInvariant.misplaced]: "a queue or list disagrees with a request's state",
  [ServingInvariant.pool]: "the block pool's invariants fail",
};

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
  /**
   * The page policy that picks which free cached block the pool gives up when it needs one
   * (uncached free blocks go first): `lru` (default) is vLLM's free-queue order, least recently
   * freed first; any other of `SERVING_CACHE_POLICIES` as docs/policies.md defines it, on blocks as
   * docs/envs.md says. `belady` needs every block's next use, which served traffic does not know.
   */
  cachePolicy?: string;
  /** The cache policy's parameters (its defaults for those left out). */
  cachePolicyParams?: Record<string, number>;
}

/** The cache policies a serving env can run: the registry's block policies but those reading the future. */
export const SERVING_CACHE_POLICIES: readonly string[] = BLOCK_POLICIES.filter((p) => !policyInfo(p).future);

/** The policy named, with its parameters, checked: `what` names the option in messages (an API field, a CLI flag). */
export function servingCachePolicy(name = "lru", params: Record<string, unknown> = {}, what = "cachePolicy"): BlockEviction {
  return blockEviction(name, params, what, true);
}

/** Trace replay: TTFT SLA 5 s at 100 ms a tick; the run goes on 60 s after the last arrival. */
const TRACE = { slaTicks: 50, drainTicks: 600, blockTokens: 512, tokensPerTick: 4 };

const SHAPES = { flat: TrafficShape.flat, wave: TrafficShape.wave, spike: TrafficShape.spike } as const;
/** Time to first token allowed on easy, which has no SLA in NeuralPagedAttention. */
const EASY_SLA = { free: 200, vip: 100 };

/**
 * kvsim's serving environment, the default preset (assembly/serving/sim.ts, docs/envs.md): the
 * WASM block pool with prefix caching, NeuralPagedAttention's traffic shapes drawn from
 * agent-independent streams, stalls instead of crashes, exactly `maxTicks` steps, and a score of
 * class-weighted SLO attainment. One WASM instance per env; a step crosses the boundary a few
 * times, with scalars only.
 */
export class ServingEnv implements Env<number[], number, ServingInfo> {
  readonly id: string;
  readonly actionSpace: DiscreteSpace = { type: "Discrete", n: SERVING_ACTIONS.length, labels: SERVING_ACTIONS };
  readonly observationSpace: BoxSpace = {
    type: "Box", shape: [SERVING_OBSERVATION.length], labels: SERVING_OBSERVATION,
    low: SERVING_OBSERVATION.map((n) => (n === "growth_pressure" ? -1 : 0)), high: SERVING_OBSERVATION.map(() => 1),
  };
  readonly task: NpaTask;
  private readonly sim: ServingSim;
  private ended = true;
  private started = false;
  private closed = false;

  constructor(options: ServingEnvOptions) {
    const config = TASKS[options.task];
    if (!config) throw new KvsimInputError(`unknown task "${options.task}" (easy, medium, hard)`);
    this.task = options.task;
    this.id = options.trace ? "kvsim/Serving-trace-v0" : `kvsim/Serving-${options.task}-v0`;
    if (options.trace) {
      this.sim = traceSim(options, options.trace);
      return;
    }
    this.sim = new ServingSim({
      gpuBlocks: options.gpuBlocks ?? SERVING_DEFAULTS.gpuBlocks, cpuBlocks: options.cpuBlocks ?? SERVING_DEFAULTS.cpuBlocks,
      tokensPerBlock: NPA.tokensPerBlock, maxTicks: config.maxTicks, batchLimit: options.batchLimit ?? SERVING_DEFAULTS.batchLimit,
      tokensPerTick: options.tokensPerTick ?? SERVING_DEFAULTS.tokensPerTick, vipRatio: config.vipRatio, powerUserPct: config.powerUserPct,
      shape: SHAPES[config.traffic], slaFree: config.slaFree ?? EASY_SLA.free, slaVip: config.slaVip ?? EASY_SLA.vip,
      freeQueueMax: NPA.freeQueueMax, vipQueueMax: NPA.vipQueueMax, returningRatio: NPA.returningRatio,
      maxRequestTokens: NPA.maxRequestTokens, slots: options.slots ?? 2048, eviction: servingCachePolicy(options.cachePolicy, options.cachePolicyParams),
    });
  }

  /** Starts an episode; the traffic streams restart from the seed, else go on (an env never seeded starts from 0). */
  reset(options: ResetOptions = {}): { observation: number[]; info: ServingInfo } {
    if (this.closed) throw new KvsimInputError(`${this.id}: reset() after close()`);
    const seed = restartSeed(options.seed, this.started, 0);
    this.sim.reset(seed ?? 0, seed !== undefined);
    this.started = true;
    this.ended = false;
    return { observation: this.observation(), info: this.info(false) };
  }

  step(action: number): StepResult<number[], ServingInfo> {
    if (this.closed) throw new KvsimInputError(`${this.id}: step() after close()`);
    if (this.ended) throw new KvsimInputError(`${this.id}: step() after the episode ended; call reset()`);
    if (!contains(this.actionSpace, action)) throw new KvsimInputError(`${this.id}: action ${JSON.stringify(action)} is outside Discrete(${this.actionSpace.n})`);
    const failed = !this.sim.step(action);
    const truncated = this.sim.done;
    this.ended = truncated;
    return { observation: this.observation(), reward: this.sim.reward, terminated: false, truncated, info: this.info(failed) };
  }

  /** Class-weighted SLO attainment so far: weight of requests served within SLA / weight of arrivals. */
  score(): number {
    return this.sim.score();
  }

  /** The built-in vLLM-like scheduler's choice for the current state. */
  schedulerAction(): number {
    return this.sim.schedulerAction();
  }

  /** Plays up to `steps` steps with the built-in scheduler entirely inside WASM. */
  runScheduler(steps: number): number {
    const n = this.sim.runScheduler(steps);
    this.ended = this.sim.done;
    return n;
  }

  /** Throws if a request is in two places or the block pool's invariants fail. */
  check(): void {
    const code = this.sim.check();
    if (code !== ServingInvariant.ok) throw new Error(`${this.id}: invariant ${code} broken: ${INVARIANTS[code]}`);
  }

  counters(): ServingCounters {
    return countersOf(this.sim.counters);
  }

  /** Ends the env: later steps and resets are refused. Idempotent; the engine instance goes with the env. */
  close(): void {
    this.closed = true;
    this.ended = true;
  }

  /** A copy of the WASM observation (a plain loop: Array.from on a typed array was slower). */
  private observation(): number[] {
    const view = this.sim.observation;
    const out = new Array<number>(view.length);
    for (let i = 0; i < view.length; i++) out[i] = view[i]!;
    return out;
  }

  private info(failed: boolean): ServingInfo {
    return { tick: this.sim.tick, actionFailed: failed, counters: this.counters(), score: this.score() };
  }
}

/** Same KV bytes as the default hardware, in the trace's block size; arrivals copied into WASM once. */
function traceSim(options: ServingEnvOptions, trace: RequestTrace): ServingSim {
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
  return new ServingSim({
    gpuBlocks: options.gpuBlocks ?? Math.max(1, Math.floor(SERVING_DEFAULTS.gpuBlocks * scale)),
    cpuBlocks: options.cpuBlocks ?? Math.floor(SERVING_DEFAULTS.cpuBlocks * scale), tokensPerBlock: blockTokens,
    maxTicks: ticks[n - 1]! + TRACE.drainTicks, batchLimit: options.batchLimit ?? SERVING_DEFAULTS.batchLimit,
    tokensPerTick: options.tokensPerTick ?? TRACE.tokensPerTick, vipRatio: 0, powerUserPct: 0, shape: TrafficShape.flat,
    slaFree: TRACE.slaTicks, slaVip: TRACE.slaTicks, freeQueueMax: NPA.freeQueueMax, vipQueueMax: NPA.vipQueueMax,
    returningRatio: 0, maxRequestTokens: longest, slots: options.slots ?? 2048, eviction: servingCachePolicy(options.cachePolicy, options.cachePolicyParams),
  }, { arrivalTicks: ticks, inputLengths: trace.inputLengths, outputLengths: trace.outputLengths, offsets: trace.offsets, blocks: trace.blocks });
}
