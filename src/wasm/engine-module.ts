import { nodeBuiltin } from "../util/node-builtins.js";

/** Raw exports of `build/kvsim.wasm` (see `assembly/index.ts` for the ABI and call order). */
export interface EngineExports {
  memory: WebAssembly.Memory;
  resetArena(): void;
  setup(pages: number, tiers: number, profile: number, decodePenalty: number, seed: number, eventCapacity: number): void;
  pageSizes(): number;
  setTier(tier: number, capacity: number, read: number, write: number, bandwidth: number): void;
  traceBuffer(length: number): number;
  paramsBuffer(length: number): number;
  start(policyId: number, prefetch: number, maxCandidates: number): number;
  replay(from: number, to: number): number;
  finish(): void;
  requestBuffer(count: number): number;
  replayRequests(count: number): number;
  prefixHits(): number;
  poolSetup(gpuBlocks: number, cpuBlocks: number, tokensPerBlock: number, requests: number, blocksPerRequest: number, policy: number): void;
  poolAdmit(request: number, tokens: number): number;
  poolGrow(request: number, tokens: number): number;
  poolFree(request: number): void;
  poolSwap(request: number, to: number): number;
  poolCheck(): number;
  poolFreeBlocks(tier: number): number;
  poolCachedBlocks(tier: number): number;
  poolBlocksOf(request: number): number;
  poolTierOf(request: number): number;
  poolTable(request: number): number;
  poolCachedPrefix(tier: number, count: number): number;
  poolHashInput(): number;
  poolNextUseInput(): number;
  poolStats(which: number): number;
  servingSetup(gpu: number, cpu: number, tokensPerBlock: number, ticks: number, batch: number, perTick: number, vip: number, power: number,
    shape: number, slaFree: number, slaVip: number, freeQueueMax: number, vipQueueMax: number, returning: number, tokensCap: number, slots: number): void;
  servingReset(seed: number): void;
  servingStep(action: number): number;
  servingTick(): number;
  servingDone(): number;
  servingScore(): number;
  servingReward(): number;
  sampleNormals(seed: number, count: number): number;
  servingCounters(): number;
  servingObservation(): number;
  servingSchedulerAction(): number;
  servingRunScheduler(steps: number): number;
  servingCheck(): number;
  servingSetTrace(count: number, blocks: number): void;
  servingTraceBuffer(which: number): number;
  setupAttention(total: number, d: number): void;
  attentionKeys(): number;
  attentionQuery(): number;
  attentionRowBuffer(): number;
  softmaxRow(t: number, scale: number, slope: number, cap: number): void;
  setupScoring(count: number, d: number): void;
  scoringKeys(): number;
  scoringValues(): number;
  scoringWeights(): number;
  scoringScores(): number;
  scoringOrder(): number;
  scoreLinear(count: number, first: number): void;
  selectTopK(count: number, k: number): void;
  setupRanking(count: number): void;
  rankingScores(): number;
  rankingUtility(): number;
  rankingOrder(): number;
  rankingRetained(): number;
  rank(count: number, withUtility: number): void;
  errorCode(): number;
  errorPage(): number;
  errorTier(): number;
  /** Test hook: 0 replays the queue policies (lru, fifo, windowed_recency as LRU) through the general loop. */
  allowQueueReplay(allowed: number): void;
  /** The loop the current run replays with: 0 the general one, 1 a FIFO queue, 2 an LRU queue. */
  replayLoop(): number;
  /** Test hook: heaps renumber their arrival numbers after `limit` inserts (0 restores 2^31). */
  setArrivalLimit(limit: number): void;
  /**
   * Test hook: random heap operations checked against brute force, with `runs` sorted runs or
   * `lanes` exact lanes per heap; returns the mismatches.
   */
  checkLazyHeaps(seed: number, pages: number, heaps: number, runs: number, ops: number, lanes: number): number;
  /** Test hook: victims compared by the last `checkLazyHeaps`. */
  lazyHeapChecks(): number;
  metricsBuffer(): number;
  auditBuffer(): number;
  eventSteps(): number;
  eventTypes(): number;
  eventPages(): number;
  eventSources(): number;
  eventTargets(): number;
  eventLatencies(): number;
  eventBytes(): number;
}

let compiled: WebAssembly.Module | undefined;

/** Finds `build/kvsim.wasm` from either `src/wasm` (tests) or `dist/src/wasm` (built package). */
function wasmPath(): string {
  const { existsSync } = nodeBuiltin("node:fs", "loading build/kvsim.wasm");
  const { dirname, join } = nodeBuiltin("node:path", "loading build/kvsim.wasm");
  let dir = dirname(nodeBuiltin("node:url", "loading build/kvsim.wasm").fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, "build", "kvsim.wasm");
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error("build/kvsim.wasm not found: run `npm install` (or `npm run build:wasm`) first");
}

/**
 * Makes `module` the engine every later call instantiates. The browser entry calls it once the
 * WASM has been fetched (there is no synchronous file read there); workers call it with the
 * module their parent sent.
 */
export function useEngineModule(module: WebAssembly.Module): void {
  compiled = module;
}

/** The compiled engine module, compiled once per process (read from disk in Node) and shareable with workers. */
export function engineModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(nodeBuiltin("node:fs", "loading build/kvsim.wasm").readFileSync(wasmPath()));
  return compiled;
}

/** A fresh engine instance; its memory is private to the caller. */
export function instantiateEngine(module: WebAssembly.Module = engineModule()): EngineExports {
  const instance = new WebAssembly.Instance(module, {
    env: {
      abort(_message: number, _file: number, line: number, column: number): never {
        throw new Error(`kvsim engine aborted at ${line}:${column}`);
      },
    },
  });
  return instance.exports as unknown as EngineExports;
}
