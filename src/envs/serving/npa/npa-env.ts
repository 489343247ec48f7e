import { KvsimInputError } from "../../../errors.js";
import { contains, restartSeed, type BoxSpace, type DiscreteSpace, type Env, type ResetOptions, type StepResult } from "../../spaces.js";
import { NPA, NPA_ACTIONS, NPA_OBSERVATION, REWARD, TASKS, type NpaTask, type TaskConfig } from "./constants.js";
import { npMean, npStd } from "./numpy-sum.js";
import { NpaTraffic, roundHalfEven, type ArrivalSink, type Tier, type TrafficSource } from "./traffic.js";
import { WaitQueue } from "./wait-queue.js";

type Location = "queue" | "gpu_active" | "gpu_idle" | "cpu" | "evicted" | "done";

// The observation's idle sizes and ages as fractions, read from tables (the same doubles as the
// divisions, which cost more than the loads at two per idle request per step).
const SIZE_FRACTIONS = Float64Array.from({ length: NPA.gpuBlocks + 1 }, (_, b) => b / NPA.gpuBlocks);
const AGE_FRACTIONS = Float64Array.from({ length: NPA.ageNormaliser + 1 }, (_, a) => Math.min(1, a / NPA.ageNormaliser));
const sizeFraction = (blocks: number): number => (blocks < SIZE_FRACTIONS.length ? SIZE_FRACTIONS[blocks]! : blocks / NPA.gpuBlocks);
/** Ages at or past the normaliser are 1. */
const ageFraction = (idle: number): number => (idle < AGE_FRACTIONS.length ? AGE_FRACTIONS[idle]! : 1);

/** One request; the same object is referenced from queues and ledger maps (NPA shares them too). */
class Request {
  generated = 0;
  /** Blocks the request's tokens fill: kept with `generated` (see `setGenerated`), read every tick. */
  currentBlocks: number;
  wait = 0;
  waitBase = 0;
  requeued = false;
  location: Location = "queue";
  blocks = 0;
  idle = 0;

  constructor(
    public id: string, readonly tier: Tier, readonly userType: string, readonly isReturning: boolean,
    readonly prompt: number, readonly target: number, readonly arrivalTick: number,
  ) {
    this.currentBlocks = Math.ceil(prompt / NPA.tokensPerBlock);
  }

  setGenerated(tokens: number): void {
    this.generated = tokens;
    this.currentBlocks = Math.ceil((this.prompt + tokens) / NPA.tokensPerBlock);
  }

  get complete(): boolean {
    return this.generated >= this.target;
  }
}

/** One tier of NeuralPagedAttention's ledger: a block counter and an insertion-ordered map of residents. */
class Ledger {
  used = 0;
  readonly requests = new Map<string, Request>();

  constructor(readonly total: number) {}

  get free(): number {
    return this.total - this.used;
  }

  /** Places at the request's current size, or changes nothing when it does not fit. */
  place(r: Request, location: Location): boolean {
    const b = r.currentBlocks;
    if (b > this.free) return false;
    r.location = location;
    r.blocks = b;
    this.used += b;
    this.requests.set(r.id, r);
    return true;
  }

  /** Releases `r.blocks` and deletes whatever sits under r.id; the location is left as it was. */
  remove(r: Request): void {
    this.used -= r.blocks;
    this.requests.delete(r.id);
    r.blocks = 0;
  }
}

export interface NpaInfo extends Record<string, unknown> {
  action: number;
  actionResult: string;
  tick: number;
  gpuUtil: number;
  slaPenalty: number;
  /** [arrived, completed, rejected, swaps, cacheHits, returningArrived, gpuUsed, cpuUsed, crashed]. */
  counters: number[];
}

export interface NpaEnvOptions {
  task: NpaTask;
  /** Arrivals: NeuralPagedAttention's seeded generator (default) or a recording. */
  traffic?: (seed: number) => TrafficSource;
}

/**
 * NeuralPagedAttention's serving environment (commit 2f7fbba), reproduced step for step,
 * quirks included (docs/envs.md lists them): a ledger of per-request block counts on a 1,000-block
 * GPU and a 5,000-block CPU, flat / wave / spike traffic, a 21-value observation, 19 actions, its
 * reward and final score. The Gymnasium shape is kvsim's: `terminated` for a crash or deadlock,
 * `truncated` when the tick budget runs out (the original only had `done`).
 */
export class NpaServingEnv implements Env<number[], number, NpaInfo> {
  readonly id: string;
  readonly actionSpace: DiscreteSpace = { type: "Discrete", n: NPA_ACTIONS.length, labels: NPA_ACTIONS };
  readonly observationSpace: BoxSpace = {
    type: "Box", shape: [21], labels: NPA_OBSERVATION,
    low: NPA_OBSERVATION.map((_, i) => (i === 2 ? -1 : 0)),
    high: NPA_OBSERVATION.map((_, i) => (i >= 3 && i <= 5 ? Infinity : 1)),
  };
  readonly task: NpaTask;
  private readonly config: TaskConfig;
  private readonly makeTraffic: (seed: number) => TrafficSource;

  private traffic: TrafficSource | undefined;
  private closed = false;
  private tick = 0;
  private readonly freeQueue = new WaitQueue<Request>();
  private readonly vipQueue = new WaitQueue<Request>();
  private gpu = new Ledger(NPA.gpuBlocks);
  private cpu = new Ledger(NPA.cpuBlocks);
  private arrived = 0;
  private completed = 0;
  private rejected = 0;
  private swaps = 0;
  private actions = 0;
  private cacheHits = 0;
  private returningArrived = 0;
  private cumulative = 0;
  private done = true;
  private crashed = false;
  private fluency: number[] = [];
  private gpuHistory: number[] = [];
  private returningPool: string[] = [];
  private lastResult = "reset";
  private rerolls = 0;
  private readonly residents: Request[] = [];
  /** Scratch for the observation: idle sizes (free, vip) and idle ages (free, vip), in its order. */
  private readonly idleStats: [number[], number[], number[], number[]] = [[], [], [], []];

  constructor(options: NpaEnvOptions) {
    if (!TASKS[options.task]) throw new KvsimInputError(`unknown task "${options.task}" (easy, medium, hard)`);
    this.task = options.task;
    this.id = `kvsim/Serving-npa-${options.task}-v0`;
    this.config = TASKS[options.task];
    this.makeTraffic = options.traffic ?? ((seed) => new NpaTraffic(this.task, seed));
  }

  /**
   * Starts an episode; the traffic generator restarts from the seed, else goes on (an env never
   * seeded starts from NeuralPagedAttention's 2026). NeuralPagedAttention itself restarts from
   * 2026 at every reset: `reset({ seed: 2026 })` does that.
   */
  reset(options: ResetOptions = {}): { observation: number[]; info: NpaInfo } {
    if (this.closed) throw new KvsimInputError(`${this.id}: reset() after close()`);
    const seed = restartSeed(options.seed, this.traffic !== undefined, NPA.trafficSeed);
    if (seed !== undefined) this.traffic = this.makeTraffic(seed);
    this.tick = 0;
    this.freeQueue.clear();
    this.vipQueue.clear();
    this.gpu = new Ledger(NPA.gpuBlocks);
    this.cpu = new Ledger(NPA.cpuBlocks);
    this.arrived = this.completed = this.rejected = this.swaps = this.actions = this.cacheHits = this.returningArrived = 0;
    this.cumulative = 0;
    this.done = false;
    this.crashed = false;
    this.fluency = [];
    this.gpuHistory = [];
    this.returningPool = [];
    this.lastResult = "reset";
    this.rerolls = 0;
    this.spawn();
    return { observation: this.observation(), info: this.info(-1, 0) };
  }

  /** Ends the env: later steps and resets are refused. Idempotent. */
  close(): void {
    this.closed = true;
    this.done = true;
  }

  step(action: number): StepResult<number[], NpaInfo> {
    if (this.closed) throw new KvsimInputError(`${this.id}: step() after close()`);
    if (this.done) throw new KvsimInputError(`${this.id}: step() after the episode ended; call reset()`);
    if (!contains(this.actionSpace, action)) throw new KvsimInputError(`${this.id}: action ${JSON.stringify(action)} is outside Discrete(19)`);
    let reward = 0.0;
    this.actions += 1;
    reward += this.apply(action);
    reward += this.advance();
    this.spawn();
    const u = this.gpu.used / NPA.gpuBlocks;
    if (u > 0.95 && this.anyIdle()) reward += u > 0.98 ? REWARD.pain98 : REWARD.pain95;
    let sla = 0.0;
    if (this.config.slaFree !== null) {
      // One addition per missing request, in NeuralPagedAttention's order, so the sum rounds alike.
      for (let n = this.freeQueue.countWaiting(this.config.slaFree); n > 0; n--) sla += REWARD.slaMissFree;
      const vipMisses = this.config.slaVip === null ? 0 : this.vipQueue.countWaiting(this.config.slaVip);
      for (let n = vipMisses; n > 0; n--) sla += REWARD.slaMissVip;
      reward += sla;
    }
    let terminated = false;
    if (this.crashed || this.gpu.used > NPA.gpuBlocks) {
      reward += REWARD.crash;
      terminated = true;
    } else if (this.freeQueue.length >= NPA.freeQueueMax && this.vipQueue.length >= NPA.vipQueueMax && this.gpu.used >= NPA.gpuBlocks) {
      reward += REWARD.deadlock;
      terminated = true;
    }
    if (terminated) this.crashed = true;
    this.cumulative += reward;
    this.gpuHistory.push(u);
    while (this.gpuHistory.length > 5) this.gpuHistory.shift();
    const truncated = !terminated && this.tick >= this.config.maxTicks;
    this.done = terminated || truncated;
    this.tick += 1;
    return { observation: this.observation(), reward, terminated, truncated, info: this.info(action, sla) };
  }

  /** NeuralPagedAttention's final score (`state().current_score`), in [0.001, 0.999]. */
  score(): number {
    const completion = this.completed / Math.max(1, this.arrived);
    const v1 = Math.min(1, completion / Math.min(1, Math.max(0.001, this.config.v1Ceiling)));
    const v2 = this.fluency.length ? Math.min(1, Math.max(0, npMean(this.fluency))) : 0;
    const hit = this.returningArrived > 0 ? this.cacheHits / Math.max(1, this.returningArrived) : 0;
    const swapRate = this.swaps / Math.max(1, this.actions);
    const v3 = (Math.min(1, Math.max(-1, hit - swapRate)) + 1) / 2;
    let raw = this.task === "easy" ? 0.8 * v1 + 0.2 * v2 : this.task === "medium" ? (0.5 * v1 + 0.3 * v2) + 0.2 * v3 : (0.4 * v1 + 0.35 * v2) + 0.25 * v3;
    if (this.crashed) raw *= 0.5;
    return 0.001 + 0.998 * Math.min(1, Math.max(0, raw));
  }

  get cumulativeReward(): number {
    return this.cumulative;
  }

  get isDone(): boolean {
    return this.done;
  }

  private info(action: number, sla: number): NpaInfo {
    return {
      action, actionResult: this.lastResult, tick: this.tick, gpuUtil: this.gpu.used / NPA.gpuBlocks, slaPenalty: sla,
      counters: [this.arrived, this.completed, this.rejected, this.swaps, this.cacheHits, this.returningArrived,
        this.gpu.used, this.cpu.used, this.crashed ? 1 : 0],
    };
  }

  // --- ledger -------------------------------------------------------------------------------

  private anyIdle(): boolean {
    for (const r of this.gpu.requests.values()) if (r.location === "gpu_idle") return true;
    return false;
  }

  /**
   * The GPU resident of `tier` at `location` with the largest size (or idle age): the first in map
   * order among equals, as Python's `max`. One pass, no array: agents call this on most steps.
   */
  private largestGpu(location: Location, tier: Tier, byAge: boolean): Request | undefined {
    let best: Request | undefined;
    let bestKey = 0;
    for (const r of this.gpu.requests.values()) {
      if (r.location !== location || r.tier !== tier) continue;
      const key = byAge ? r.idle : r.currentBlocks;
      if (best === undefined || key > bestKey) {
        best = r;
        bestKey = key;
      }
    }
    return best;
  }

  private queue(tier: Tier): WaitQueue<Request> {
    return tier === "vip" ? this.vipQueue : this.freeQueue;
  }

  // --- traffic and time ---------------------------------------------------------------------

  private spawn(): void {
    this.traffic!.spawnInto(this.tick, this.returningPool, this.arrivals);
  }

  /** Arrivals join their tier's queue while it has room; every one counts as arrived. */
  private readonly arrivals: ArrivalSink = {
    accepts: (tier) => this.queue(tier).length < (tier === "vip" ? NPA.vipQueueMax : NPA.freeQueueMax),
    enqueue: (a) => {
      this.arrived += 1;
      this.queue(a.tier).push(new Request(a.id, a.tier, a.userType, a.isReturning, a.prompt, a.gen, this.tick));
    },
    drop: () => {
      this.arrived += 1;
    },
  };

  /** Decode one tick: waits, stalls, generation and growth for the 12 oldest residents, completions. */
  private advance(): number {
    const g = this.config.genPerTick;
    let t = 0.0;
    this.freeQueue.tick();
    this.vipQueue.tick();
    for (const r of this.cpu.requests.values()) r.idle += 1;
    // The 12 oldest residents generate (residents in map order, stably sorted by arrival tick).
    // Only those 12 need their order, so they are kept in a small sorted buffer, and the map is
    // nearly in arrival order, so a newcomer is usually turned away at once; every other resident,
    // turned away or pushed out, idles a tick, which does not depend on order.
    const residents = this.residents;
    const most = NPA.maxGenerating;
    let generators = 0;
    for (const r of this.gpu.requests.values()) {
      let idler: Request | undefined;
      if (generators < most) generators++;
      else if (residents[most - 1]!.arrivalTick > r.arrivalTick) idler = residents[most - 1]!;
      else idler = r;
      if (idler !== r) {
        let i = generators - 1;
        while (i > 0 && residents[i - 1]!.arrivalTick > r.arrivalTick) {
          residents[i] = residents[i - 1]!;
          i--;
        }
        residents[i] = r;
      }
      if (idler !== undefined) {
        idler.idle += 1;
        if (idler.idle > NPA.idlePromotion) idler.location = "gpu_idle";
      }
    }
    for (let i = 0; i < generators; i++) {
      const r = residents[i]!;
      if (r.location !== "gpu_active") {
        r.location = "gpu_active";
        r.idle = 0;
      }
      r.setGenerated(r.generated + g);
      t += REWARD.activeGen;
      const need = r.currentBlocks;
      if (need > r.blocks) {
        const grow = need - r.blocks;
        if (grow <= this.gpu.free) {
          this.gpu.used += grow;
          r.blocks = need;
        } else {
          this.crashed = true;
          return REWARD.crash;
        }
      }
    }
    for (let i = 0; i < generators; i++) {
      const r = residents[i]!;
      if (!r.complete) continue;
      const total = r.wait + r.target;
      t += (r.tier === "vip" ? REWARD.vipMultiplier : REWARD.freeMultiplier) * Math.exp(-REWARD.latencyDecay * total);
      this.fluency.push(r.target / Math.max(1, total));
      this.gpu.remove(r);
      r.location = "done";
      this.completed += 1;
      this.returningPool.push(r.id);
    }
    return t;
  }

  // --- actions ------------------------------------------------------------------------------

  private apply(action: number): number {
    const tierOf = (id: number): Tier => (id % 2 === 0 ? "free" : "vip");
    // 0–3 evict and 4–7 swap an idle request: the largest (0, 1, 4, 5) or oldest (2, 3, 6, 7) of a tier.
    const tier = tierOf(action);
    const by = action % 4 < 2 ? "size" : "age";
    const idleTarget = () => this.largestGpu("gpu_idle", tier, by === "age");
    if (action <= 3) {
      const target = idleTarget();
      if (!target) return this.result(`evict_${tier}_${by}_no_target`, 0.0);
      this.gpu.remove(target);
      target.location = "evicted";
      return this.result(`evicted_${tier}_${by}_${target.id}`, REWARD.evict);
    }
    if (action <= 7) {
      const target = idleTarget();
      if (!target) return this.result(`swap_${tier}_${by}_no_target`, 0.0);
      this.gpu.remove(target);
      if (target.currentBlocks > this.cpu.free) this.janitor(target.currentBlocks);
      this.cpu.place(target, "cpu");
      this.swaps += 1;
      return this.result(`swapped_${tier}_${by}_${target.id}_to_cpu`, tier === "vip" ? REWARD.swapVip : REWARD.swapFree);
    }
    if (action === 8 || action === 9) return this.admitNext(tierOf(action));
    if (action === 10 || action === 11) {
      const q = this.queue(tier);
      if (q.length === 0) return this.result(`reject_${tier}_empty_queue`, 0.0);
      const head = q.shift()!;
      this.rejected += 1;
      const fits = head.currentBlocks <= this.gpu.free;
      const reward = tier === "vip" ? (fits ? REWARD.rejectUnnecessaryVip : REWARD.rejectNecessaryVip)
        : (fits ? REWARD.rejectUnnecessaryFree : REWARD.rejectNecessaryFree);
      return this.result(`rejected_${tier}_${fits ? "unnecessary" : "necessary"}`, reward);
    }
    if (action <= 15) {
      // 12/13 ("shred" in the README) are aliases of 14/15 in the code.
      const target = this.largestGpu("gpu_active", tier, false);
      if (!target) return this.result(`preempt_swap_${tier}_no_target`, 0.0);
      this.gpu.remove(target);
      target.location = "queue";
      if (target.currentBlocks > this.cpu.free) this.janitor(target.currentBlocks);
      this.cpu.place(target, "cpu");
      this.queue(tier).unshift(target);
      this.swaps += 1;
      return this.result(`preempted_swap_${tier}_${target.id}_to_cpu`, tier === "vip" ? REWARD.preemptVip : REWARD.preemptFree);
    }
    if (action === 16) {
      const stale = [...this.cpu.requests.values()].filter((r) => r.tier === "free" && r.idle > NPA.gcIdle);
      for (const r of stale) {
        this.cpu.remove(r);
        r.location = "evicted";
      }
      return this.result(`gc_removed_${stale.length}_caches`, stale.length ? REWARD.gc : 0.0);
    }
    if (action === 17) {
      const possible = this.freeQueue.length > 0 || this.vipQueue.length > 0 || this.gpu.requests.size > 0 ||
        [...this.cpu.requests.values()].some((r) => r.tier === "free" && r.idle > NPA.gcIdle);
      return this.result("do_nothing", possible ? REWARD.doNothingTax : 0.0);
    }
    return this.admitBoth();
  }

  private result(text: string, reward: number): number {
    this.lastResult = text;
    return reward;
  }

  /** The janitor frees every free-tier CPU entry (its size sum reads zeroed sizes: quirk 5). */
  private janitor(needed: number): void {
    const entries = [...this.cpu.requests.values()].filter((r) => r.tier === "free");
    const order = entries.map((r, i) => [r, i] as const).sort((a, b) => b[0].idle - a[0].idle || a[1] - b[1]).map(([r]) => r);
    let freed = 0;
    for (const r of order) {
      if (freed >= needed) break;
      this.cpu.remove(r);
      r.location = "evicted";
      freed += r.blocks;
    }
  }

  private admitNext(tier: Tier): number {
    const q = this.queue(tier);
    if (q.length === 0) return this.result(`admit_${tier}_empty_queue`, 0.0);
    const r = q.front!;
    if (r.currentBlocks > this.gpu.free) return this.result(`admit_${tier}_no_gpu_space`, 0.0);
    q.shift();
    let hit = false;
    if (r.isReturning) {
      this.returningArrived += 1;
      const cached = this.cpu.requests.get(r.id);
      if (cached) {
        this.cacheHits += 1;
        hit = true;
        this.cpu.remove(cached);
        r.setGenerated(cached.generated);
      } else if (this.gpu.requests.has(r.id)) {
        r.id = `reroll-${++this.rerolls}`;
      }
    }
    this.gpu.place(r, "gpu_active");
    return this.result(hit ? `admitted_${tier}_cache_hit` : `admitted_${tier}_${r.id}`, REWARD.admit);
  }

  private batch(tier: Tier, pct: number): number {
    const q = this.queue(tier);
    const n = Math.max(1, roundHalfEven(q.length * pct));
    let b = 0.0;
    let admitted = 0;
    for (let i = 0; i < n; i++) {
      if (q.length === 0 || q.front!.currentBlocks > this.gpu.free) break;
      b += this.admitNext(tier);
      admitted += 1;
    }
    return admitted === 0 ? 0.0 : b;
  }

  private admitBoth(): number {
    const v = this.vipQueue.length;
    const f = this.freeQueue.length;
    let total = 0.0;
    if (v > 0) total += this.batch("vip", 0.5);
    if (f > 0) total += this.batch("free", 0.5);
    if (v === 0 && f === 0) return this.result("admit_batch_both_empty_queues", 0.0);
    return this.result(`admit_batch_both_vip_${v}_free_${f}`, total);
  }

  // --- observation --------------------------------------------------------------------------

  private observation(): number[] {
    const h = this.gpuHistory;
    const trend = h.length >= 2 ? Math.min(1, Math.max(-1, h[h.length - 1]! - h[0]!)) : 0.0;
    const slaFree = this.config.slaFree ?? 200;
    const slaVip = this.config.slaVip ?? 100;
    // One pass over the GPU map (in map order): idle sizes and ages per tier, largest active size.
    // The scratch arrays are reused; the counts in locals say how much of each is this step's.
    const stats = this.idleStats;
    const [freeSizes, vipSizes, freeAges, vipAges] = stats;
    let free = 0;
    let vip = 0;
    let activeMax = 0;
    for (const r of this.gpu.requests.values()) {
      if (r.location === "gpu_active") activeMax = Math.max(activeMax, r.currentBlocks);
      else if (r.location === "gpu_idle") {
        if (r.tier === "free") {
          freeSizes[free] = sizeFraction(r.currentBlocks);
          freeAges[free++] = ageFraction(r.idle);
        } else {
          vipSizes[vip] = sizeFraction(r.currentBlocks);
          vipAges[vip++] = ageFraction(r.idle);
        }
      }
    }
    const count = [free, vip, free, vip];
    const obs = [
      Math.min(1, this.gpu.used / NPA.gpuBlocks),
      Math.min(1, this.cpu.used / NPA.cpuBlocks),
      trend,
      this.freeQueue.length,
      this.vipQueue.length,
      this.freeQueue.length + this.vipQueue.length,
      Math.min(1, this.freeQueue.longestWait() / slaFree),
      Math.min(1, this.vipQueue.longestWait() / slaVip),
      Math.min(1, activeMax / NPA.gpuBlocks),
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];
    for (let k = 0; k < 4; k++) {
      const n = count[k]!;
      if (n === 0) continue;
      const values = stats[k]!;
      let largest = values[0]!;
      for (let i = 1; i < n; i++) largest = Math.max(largest, values[i]!);
      const mean = npMean(values, n);
      obs[9 + 3 * k] = Math.min(1, largest);
      obs[10 + 3 * k] = Math.min(1, mean);
      obs[11 + 3 * k] = Math.min(1, npStd(values, mean, n));
    }
    return obs;
  }
}
