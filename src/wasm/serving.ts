import { ServingAction, ServingCounter, ServingInvariant, ServingObservation, ServingTraceColumn, TrafficShape } from "../../assembly/abi/serving.js";
import { instantiate, servingModule, view, type ServingExports } from "./instance.js";
import { setupWithEviction, type BlockEviction } from "./block-eviction.js";

export { ServingAction, ServingCounter, ServingInvariant, ServingObservation, TrafficShape };

/** The serving simulation's configuration (assembly/serving/sim.ts, `setupServing`). */
export interface ServingSetup {
  gpuBlocks: number;
  cpuBlocks: number;
  tokensPerBlock: number;
  maxTicks: number;
  batchLimit: number;
  tokensPerTick: number;
  vipRatio: number;
  powerUserPct: number;
  shape: TrafficShape;
  slaFree: number;
  slaVip: number;
  freeQueueMax: number;
  vipQueueMax: number;
  returningRatio: number;
  maxRequestTokens: number;
  slots: number;
  /** The page policy that picks which free cached block the pool gives up (block-eviction.ts). */
  eviction: BlockEviction;
}

/** A request trace to replay instead of drawn traffic, one entry per request (blocks: all prompts' block ids). */
export interface ServingTraceInput {
  arrivalTicks: Int32Array;
  inputLengths: Int32Array;
  outputLengths: Int32Array;
  offsets: Int32Array;
  blocks: Int32Array;
}

/**
 * The serving simulation (assembly/serving/sim.ts on the block pool) behind a typed facade that
 * owns its WebAssembly instance. A step crosses the boundary a handful of times with scalars; the
 * observation and counters are read through views made once per reset (steps allocate nothing).
 */
export class ServingSim {
  private readonly raw: ServingExports;
  private observationView = new Float64Array(0);
  private counterView = new Float64Array(0);

  constructor(setup: ServingSetup, trace?: ServingTraceInput, module: WebAssembly.Module = servingModule()) {
    const w = (this.raw = instantiate<ServingExports>(module, "serving", this));
    setupWithEviction(w, setup.eviction, (policyId) => w.servingSetup(
      setup.gpuBlocks, setup.cpuBlocks, setup.tokensPerBlock, setup.maxTicks, setup.batchLimit, setup.tokensPerTick, setup.vipRatio,
      setup.powerUserPct, setup.shape, setup.slaFree, setup.slaVip, setup.freeQueueMax, setup.vipQueueMax, setup.returningRatio,
      setup.maxRequestTokens, setup.slots, policyId,
    ));
    if (!trace) return;
    const n = trace.arrivalTicks.length;
    w.servingSetTrace(n, trace.blocks.length);
    const column = (which: ServingTraceColumn, values: Int32Array) => view(w, Int32Array, w.servingTraceBuffer(which), values.length).set(values);
    column(ServingTraceColumn.arrivalTick, trace.arrivalTicks);
    column(ServingTraceColumn.inputLength, trace.inputLengths);
    column(ServingTraceColumn.outputLength, trace.outputLengths);
    column(ServingTraceColumn.offsets, trace.offsets);
    column(ServingTraceColumn.blocks, trace.blocks);
  }

  /** Starts an episode: its traffic streams restart from `seed` with `reseed`, else go on. */
  reset(seed: number, reseed: boolean): void {
    this.raw.servingReset(seed, reseed);
    // Made after the last allocation of the setup; steps allocate nothing, so they stay valid.
    this.observationView = view(this.raw, Float64Array, this.raw.servingObservation(), ServingObservation.COUNT);
    this.counterView = view(this.raw, Float64Array, this.raw.servingCounters(), ServingCounter.COUNT);
  }

  /** One step with `action`; false when the action could not be carried out (nothing changed). */
  step(action: ServingAction): boolean {
    return this.raw.servingStep(action) === 0;
  }

  /** The observation, by `ServingObservation` slot (a live view). */
  get observation(): Float64Array {
    return this.observationView;
  }

  /** The counters since reset, by `ServingCounter` (a live view). */
  get counters(): Float64Array {
    return this.counterView;
  }

  get reward(): number {
    return this.raw.servingReward();
  }

  get tick(): number {
    return this.raw.servingTick();
  }

  get done(): boolean {
    return !!this.raw.servingDone();
  }

  /** Class-weighted SLO attainment so far. */
  score(): number {
    return this.raw.servingScore();
  }

  /** The built-in vLLM-like scheduler's choice for the current state. */
  schedulerAction(): ServingAction {
    return this.raw.servingSchedulerAction();
  }

  /** Plays up to `steps` steps with the built-in scheduler inside WASM; returns the steps taken. */
  runScheduler(steps: number): number {
    return this.raw.servingRunScheduler(steps);
  }

  /** The first invariant broken, or `ok`. */
  check(): ServingInvariant {
    return this.raw.servingCheck() as ServingInvariant;
  }
}
