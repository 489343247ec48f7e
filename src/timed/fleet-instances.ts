import { EngineDriver, type EngineRunOptions, type EngineRunResult, type RunSink } from "./engine-run.js";
import type { ServingRequest } from "./requests.js";
import type { InstanceLoad } from "./routers/router.js";
import { SharedTierStore } from "../wasm/shared-tier.js";

/**
 * N engine instances fed one request at a time in arrival order, and the load each has when the
 * next request arrives: what a router (fleet.ts) or a learning agent (the fleet env) decides on.
 */
export class FleetInstances {
  private readonly drivers: EngineDriver[];
  /** What was routed to each instance; its engine counts what completed, so no rows are drained per arrival. */
  private readonly routed: { requests: number; promptTokens: number }[];
  private readonly current: InstanceLoad[];
  /** Instances share a store: they run one iteration at a time, earliest first, so that it sees their reads and writes in time order. */
  private readonly interleaved: boolean;

  constructor(count: number, options: EngineRunOptions, sinkOf: (instance: number) => RunSink) {
    const { hostTier, eviction, seed } = options.config;
    const disk = hostTier?.disk;
    // A shared disk tier is one store the instances' engines all call (docs/model.md), evicting by the disk tier's policy.
    if (disk?.shared) options = { ...options, config: { ...options.config, sharedTier: new SharedTierStore(disk.blocks, disk.eviction ?? hostTier!.eviction ?? eviction, seed) } };
    this.interleaved = disk?.shared === true;
    this.drivers = Array.from({ length: count }, (_, i) => new EngineDriver(options, sinkOf(i)));
    this.routed = this.drivers.map(() => ({ requests: 0, promptTokens: 0 }));
    this.current = this.drivers.map(() => ({ outstanding: 0, outstandingPromptTokens: 0, usedBlocks: 0, cachedPrefix: { gpu: 0, host: 0 } }));
  }

  get count(): number {
    return this.drivers.length;
  }

  /** The loads as last read (the same objects, updated by every `advanceTo`). */
  get loads(): readonly InstanceLoad[] {
    return this.current;
  }

  /**
   * Runs every instance up to `time` (a request's arrival) and reads its load then; with a request's
   * block hashes, also how much of its prefix each caches (else that stays 0).
   */
  advanceTo(time: number, hashes?: Float64Array): readonly InstanceLoad[] {
    for (const d of this.drivers) d.feedUntil(time);
    this.runAll();
    this.drivers.forEach((d, i) => {
      const done = d.completedSoFar();
      const load = this.current[i]!;
      load.outstanding = this.routed[i]!.requests - done.requests;
      load.outstandingPromptTokens = this.routed[i]!.promptTokens - done.promptTokens;
      load.usedBlocks = d.usedBlocks();
      if (hashes) load.cachedPrefix = d.cachedPrefix(hashes);
    });
    return this.current;
  }

  /** Gives request `id` to instance `instance`. */
  send(instance: number, request: ServingRequest, id: number): void {
    this.drivers[instance]!.feed([request], [id]);
    this.routed[instance]!.requests++;
    this.routed[instance]!.promptTokens += request.prompt;
  }

  /** Gives every row written so far to the sinks now, for a caller that acts on each completion as it comes. */
  flush(): void {
    for (const d of this.drivers) d.flush();
  }

  /** Ends the input and runs every instance until its requests have all completed; their results in index order. */
  finish(): EngineRunResult[] {
    for (const d of this.drivers) d.endInput();
    this.runAll();
    return this.drivers.map((d) => d.finish());
  }

  /**
   * Runs every instance until it needs input or has completed. Independent instances run one
   * after another; instances sharing a store run an iteration at a time, the one whose next
   * iteration starts first (ties by index), so each store read and write comes in time order.
   */
  private runAll(): void {
    if (!this.interleaved) {
      for (const d of this.drivers) d.run();
      return;
    }
    const active = [...this.drivers];
    const clocks = active.map((d) => d.clock());
    while (active.length > 0) {
      let first = 0;
      for (let k = 1; k < active.length; k++) if (clocks[k]! < clocks[first]!) first = k;
      if (active[first]!.step() === "ran") {
        clocks[first] = active[first]!.clock();
      } else {
        active.splice(first, 1);
        clocks.splice(first, 1);
      }
    }
  }
}
