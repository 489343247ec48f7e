import { PythonRandom } from "../../../workloads/python-random.js";
import { NPA, TASKS, type NpaTask } from "./constants.js";

export type Tier = "free" | "vip";

/** One new request as the traffic generator makes it. */
export interface Arrival {
  tier: Tier;
  userType: "chatter" | "power";
  isReturning: boolean;
  prompt: number;
  gen: number;
  id: string;
}

/** Where a tick's arrivals go, one at a time and in order (admission depends on the ones before). */
export interface ArrivalSink {
  /** Whether an arrival of this tier would be queued now; a refused one is only counted. */
  accepts(tier: Tier): boolean;
  enqueue(arrival: Arrival): void;
  drop(tier: Tier): void;
}

/** Where arrivals come from: called once at reset and once per step with the current tick. */
export interface TrafficSource {
  spawnInto(tick: number, returningPool: readonly string[], sink: ArrivalSink): void;
}

/** Python's round(): half to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * CPython's `random.gauss` (Box–Muller with a cached second value). `skip` consumes exactly what a
 * draw would but leaves the cached value as its two uniforms, computed only if it is ever used:
 * the draws of refused arrivals then cost no logarithm or trigonometry, with identical results.
 */
class Gauss {
  private cached = false;
  private x2pi = 0;
  private u = 0;

  constructor(private readonly rng: PythonRandom) {}

  draw(mu: number, sigma: number): number {
    if (this.cached) {
      this.cached = false;
      return mu + Math.sin(this.x2pi) * this.radius() * sigma;
    }
    this.pair();
    return mu + Math.cos(this.x2pi) * this.radius() * sigma;
  }

  skip(): void {
    if (this.cached) this.cached = false;
    else this.pair();
  }

  private radius(): number {
    return Math.sqrt(-2.0 * Math.log(1.0 - this.u));
  }

  private pair(): void {
    this.x2pi = this.rng.random() * (2 * Math.PI);
    this.u = this.rng.random();
    this.cached = true;
  }
}

/** The arrival rate at tick t (flat, wave or spike), in NeuralPagedAttention's evaluation order. */
export function arrivalRate(task: NpaTask, t: number): number {
  const shape = TASKS[task].traffic;
  if (shape === "flat") return 1;
  const [base, a, b] = shape === "wave" ? [2, 4, 2] : [4, 8, 4];
  return Math.max(0, roundHalfEven(((base + 0.005 * t) + a * Math.sin(2 * Math.PI * t / 1000)) + b * Math.sin(2 * Math.PI * t / 150)));
}

/**
 * NeuralPagedAttention's traffic generator, draw for draw: CPython's Mersenne Twister seeded with
 * the traffic seed, Knuth's Poisson below λ = 30 and a rounded normal above, then per arrival its
 * tier, user type, returning flag (drawn only when the returning pool is non-empty), prompt and
 * generation lengths and, for returning users, an id chosen from the pool. Fresh ids, which the
 * original takes from OS randomness, are a seeded counter here so that runs repeat.
 */
export class NpaTraffic implements TrafficSource {
  private readonly rng: PythonRandom;
  private readonly gauss: Gauss;
  private fresh = 0;

  constructor(private readonly task: NpaTask, seed: number = NPA.trafficSeed) {
    this.rng = new PythonRandom(seed);
    this.gauss = new Gauss(this.rng);
  }

  count(t: number): number {
    const lambda = arrivalRate(this.task, t);
    if (lambda <= 0) return 0;
    if (lambda >= 30) return Math.max(0, roundHalfEven(this.gauss.draw(lambda, Math.sqrt(lambda))));
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = 1.0;
    for (;;) {
      k += 1;
      p *= this.rng.random();
      if (p <= limit) return k - 1;
    }
  }

  /** Every arrival of the tick, in full. */
  spawn(tick: number, pool: readonly string[]): Arrival[] {
    const out: Arrival[] = [];
    this.spawnInto(tick, pool, { accepts: () => true, enqueue: (a) => out.push(a), drop: () => {} });
    return out;
  }

  /** Makes each arrival only as far as the sink needs: a refused one draws its numbers unused. */
  spawnInto(tick: number, pool: readonly string[], sink: ArrivalSink): void {
    const config = TASKS[this.task];
    const n = this.count(tick);
    for (let i = 0; i < n; i++) {
      const tier: Tier = this.rng.random() < config.vipRatio ? "vip" : "free";
      const power = this.rng.random() < config.powerUserPct;
      const isReturning = pool.length > 0 && this.rng.random() < NPA.returningRatio;
      if (!sink.accepts(tier)) {
        this.gauss.skip();
        this.gauss.skip();
        if (isReturning) this.rng.randbelow(pool.length);
        else this.fresh++;
        sink.drop(tier);
        continue;
      }
      const shape = power ? NPA.power : NPA.chatter;
      const prompt = Math.max(NPA.minTokens, Math.trunc(this.gauss.draw(shape.prompt[0], shape.prompt[1])));
      let gen = Math.max(NPA.minTokens, Math.trunc(this.gauss.draw(shape.gen[0], shape.gen[1])));
      if (prompt + gen > NPA.maxRequestTokens) gen = Math.max(NPA.minTokens, NPA.maxRequestTokens - prompt);
      const id = isReturning ? this.rng.choice(pool) : this.freshId();
      sink.enqueue({ tier, userType: power ? "power" : "chatter", isReturning, prompt, gen, id });
    }
  }

  private freshId(): string {
    // An odd multiplier permutes 32-bit integers: distinct, random-looking 8-hex ids.
    return hex32(Math.imul(++this.fresh, 0x9e3779b1));
  }
}

const HEX_BYTE = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));

/** `(x >>> 0).toString(16).padStart(8, "0")` by byte table: V8's radix toString is the slow path. */
function hex32(x: number): string {
  return HEX_BYTE[(x >>> 24) & 255]! + HEX_BYTE[(x >>> 16) & 255]! + HEX_BYTE[(x >>> 8) & 255]! + HEX_BYTE[x & 255]!;
}

/** Replays recorded arrivals (a fixture's), one list per spawn. */
export class RecordedTraffic implements TrafficSource {
  private next = 0;

  constructor(private readonly spawns: readonly Arrival[][]) {}

  spawnInto(_tick: number, _pool: readonly string[], sink: ArrivalSink): void {
    for (const a of this.spawns[this.next++] ?? []) {
      if (sink.accepts(a.tier)) sink.enqueue(a);
      else sink.drop(a.tier);
    }
  }
}
