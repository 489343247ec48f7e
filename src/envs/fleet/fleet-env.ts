import { KvsimInputError } from "../../errors.js";
import { blockHashes } from "../../timed/block-hashes.js";
import { FleetInstances } from "../../timed/fleet-instances.js";
import type { ServingRequest } from "../../timed/requests.js";
import { meetsSlo } from "../../timed/results.js";
import type { Arrival, InstanceLoad } from "../../timed/routers/router.js";
import { planInstances } from "../../timed/simulate.js";
import { syntheticRequests } from "../../timed/workloads.js";
import { contains, restartSeed, type BoxSpace, type DiscreteSpace, type Env, type ResetOptions, type StepResult } from "../spaces.js";
import { fleetObservation, INSTANCE_FEATURES, observationLabels } from "./observation.js";
import type { ActionFeatures } from "../../agents/action-rows.js";
import { fleetSetup, type FleetEnvOptions, type FleetSetup } from "./setup.js";

export interface FleetInfo extends Record<string, unknown> {
  /** Requests routed so far this episode. */
  routed: number;
  /** Requests completed so far, and those of them that met both SLOs. */
  completed: number;
  metSlo: number;
  score: number;
}

/** The largest seed a workload takes (timed/workloads.ts). */
const MAX_SEED = 0xffffffff;

/**
 * A fleet of vLLM instances on the timed simulator (src/timed/fleet.ts, docs/envs.md), where the
 * agent is the router: each step routes one arriving request of a seeded multi-turn chat workload
 * to an instance. The observation is read from the instances' engines at the arrival; the reward
 * counts the requests that complete meeting the TTFT and TPOT SLOs, at the step in which they
 * complete, so that an episode's return is the number of its requests that met both. Every request
 * must be routed (there is no idle action), and after the last one the instances run until all
 * complete. Everything is simulated.
 */
export class FleetRouteEnv implements Env<number[], number, FleetInfo> {
  readonly actionSpace: DiscreteSpace;
  readonly observationSpace: BoxSpace;
  readonly instances: number;
  /** The observation is each instance's features, then the request's: a learner may score instances with shared weights. */
  readonly actionFeatures: ActionFeatures = { perAction: INSTANCE_FEATURES.length, shared: 1 };
  private readonly setup: FleetSetup;
  private fleet: FleetInstances | null = null;
  private requests: ServingRequest[] = [];
  private blockSize = 16;
  private kvBlocks = 0;
  /** The request waiting to be routed: its index in arrival order. */
  private next = 0;
  private completed = 0;
  private good = 0;
  private nextSeed = 0;
  private started = false;
  private ended = true;
  private closed = false;

  constructor(readonly id: string, options: FleetEnvOptions = {}) {
    this.setup = fleetSetup(options);
    this.instances = this.setup.instances;
    const labels = observationLabels(this.instances);
    this.actionSpace = { type: "Discrete", n: this.instances, labels: Array.from({ length: this.instances }, (_, i) => `route_to_${i}`) };
    this.observationSpace = { type: "Box", shape: [labels.length], labels, low: labels.map(() => 0), high: labels.map(() => 1) };
  }

  /** Each instance's deployment and SLOs, as `simulateFleet` takes them. */
  get plan(): FleetSetup["plan"] {
    return this.setup.plan;
  }

  /**
   * Starts an episode: the workload drawn from the seed, or without one from the seed after the
   * last episode's (an env never seeded starts from 0); the instances start empty.
   */
  reset(options: ResetOptions = {}): { observation: number[]; info: FleetInfo } {
    if (this.closed) throw new KvsimInputError(`${this.id}: reset() after close()`);
    const seed = restartSeed(options.seed, this.started, 0) ?? this.nextSeed;
    if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) throw new KvsimInputError(`${this.id}: seed must be an integer from 0 to 2^32 − 1, got ${seed}`);
    this.nextSeed = seed + 1;
    this.started = true;
    this.requests = syntheticRequests({ ...this.setup.workload, requests: this.setup.requests }, seed, this.id);
    const { config, blockSize } = planInstances(this.setup.plan, this.requests);
    this.blockSize = blockSize;
    this.kvBlocks = config.kvBlocks;
    this.completed = 0;
    this.good = 0;
    const slo = this.setup.plan.slo!;
    const sink = {
      request: (r: { ttft: number; tpot: number }) => {
        this.completed++;
        if (meetsSlo(r, slo)) this.good++;
      },
      iteration: () => {},
    };
    // No token gaps are kept: the reward reads only each request's TTFT and TPOT.
    this.fleet = new FleetInstances(this.instances, { config, exactGaps: 0 }, () => sink);
    this.next = 0;
    this.ended = false;
    this.arrive();
    return { observation: this.observation(), info: this.info() };
  }

  /** Routes the waiting request to instance `action`, then runs the fleet to the next arrival (or, after the last, to the end). */
  step(action: number): StepResult<number[], FleetInfo> {
    if (this.closed) throw new KvsimInputError(`${this.id}: step() after close()`);
    if (this.ended || !this.fleet) throw new KvsimInputError(`${this.id}: step() after the episode ended; call reset()`);
    if (!contains(this.actionSpace, action)) throw new KvsimInputError(`${this.id}: action ${JSON.stringify(action)} is outside Discrete(${this.actionSpace.n})`);
    const goodBefore = this.good;
    this.fleet.send(action, this.requests[this.next]!, this.next);
    this.next++;
    const terminated = this.next === this.requests.length;
    if (terminated) {
      this.fleet.finish();
      this.fleet = null;
      this.ended = true;
    } else {
      this.arrive();
    }
    return { observation: this.observation(), reward: this.good - goodBefore, terminated, truncated: false, info: this.info() };
  }

  /** The share of this episode's requests that met both SLOs so far; at its end, its goodput attainment. */
  score(): number {
    return this.requests.length > 0 ? this.good / this.requests.length : 0;
  }

  /** This episode's requests, in arrival order (the order they are routed in). */
  episodeRequests(): readonly ServingRequest[] {
    return this.requests;
  }

  /** The request waiting to be routed, as a router sees it. */
  arrival(): Arrival {
    if (this.ended) throw new KvsimInputError(`${this.id}: no request is waiting: the episode ended`);
    return { request: this.requests[this.next]!, blockSize: this.blockSize };
  }

  /** Each instance's load at the waiting request's arrival, with the prefix of it each caches. */
  loads(): readonly InstanceLoad[] {
    if (!this.fleet) throw new KvsimInputError(`${this.id}: no request is waiting: the episode ended`);
    return this.fleet.loads;
  }

  /** Ends the env: later steps and resets are refused. Idempotent. */
  close(): void {
    this.closed = true;
    this.ended = true;
    this.fleet = null;
  }

  /** Runs every instance up to the waiting request's arrival, crediting what completed before it. */
  private arrive(): void {
    const request = this.requests[this.next]!;
    // The prompt's block hashes, as the instance's pool names its blocks: how much of it each caches.
    this.fleet!.advanceTo(request.arrival, blockHashes(request, this.next, request.prompt, this.blockSize));
    this.fleet!.flush();
  }

  /** At an arrival, what the agent routes on; once the episode ended (the fleet drained, no request waiting), zeros. */
  private observation(): number[] {
    if (!this.fleet) return new Array<number>(this.observationSpace.shape[0]).fill(0);
    return fleetObservation(this.fleet.loads, this.requests[this.next]!.prompt, this.kvBlocks, this.blockSize);
  }

  private info(): FleetInfo {
    return { routed: this.next, completed: this.completed, metSlo: this.good, score: this.score() };
  }
}
