import { KvsimInputError } from "../errors.js";
import { BlockPool } from "../wasm/block-pool.js";
import { blockHashes } from "./block-hashes.js";
import type { ServingRequest } from "./requests.js";
import { addToBatch, newIterationBatch, type TimeModel } from "./time-model.js";
import type { IterationResult, RequestResult } from "./results.js";

/**
 * kvsim's `vllm` scheduler: vLLM v1's `Scheduler.schedule()` (vllm/v1/core/sched/scheduler.py at
 * 00024d3, FCFS policy) on kvsim's WASM block pool, which is vLLM's `BlockPool` with prefix caching.
 * Each iteration:
 *
 * 1. Running requests in order ("First, schedule the RUNNING requests"): each gets
 *    min(tokens it lacks, budget) new tokens — 1 for a decode, the rest of a prompt (or of a
 *    preempted request's prompt and output) for a prefill, chunked to the budget. Its blocks grow
 *    to cover them; when the pool is out of blocks the last running request is preempted by
 *    recompute (`self.running.pop()`, `_preempt_request`: blocks freed — cached ones stay
 *    reusable —, computed tokens reset, back to the front of the waiting queue) and the
 *    allocation retried; a request that had to preempt itself ends the loop.
 * 2. Only if nothing was preempted, waiting requests in order ("Next, schedule the WAITING
 *    requests") while budget remains and fewer than `max_num_seqs` run: the longest cached prefix
 *    of its tokens (`get_computed_blocks`, at most all tokens but one) is skipped, the rest
 *    chunked to the budget; the first that does not fit ends the loop.
 * 3. The batch runs for the time model's `iterationTime`; every request whose tokens are then all
 *    computed samples one (the first token ends its prefill), and one with all its output tokens
 *    finishes and frees its blocks.
 *
 * Left out (kvsim has no use for them yet): priority scheduling, `long_prefill_token_threshold`,
 * speculative decoding, encoder inputs, LoRA limits, KV connectors, async scheduling,
 * `max_model_len` (a request must fit the KV cache instead), and the CPU time of scheduling itself
 * (the time model's iteration overhead stands for it).
 */

export interface VllmConfig {
  kvBlocks: number;
  blockSize: number;
  /** Requests running at most (`max_num_seqs`). */
  maxNumSeqs: number;
  /** Tokens per iteration (`max_num_batched_tokens`). */
  maxBatchedTokens: number;
  /** Whether blocks are cached and reused across requests (`enable_prefix_caching`, vLLM's default). */
  prefixCaching: boolean;
  /** The pool's eviction policy for free cached blocks (`lru` is vLLM's free queue). */
  eviction?: string;
  /** Seeds `random` eviction. Default 0. */
  seed?: number;
  /** Calls `check` after every iteration (the property tests do). */
  onIteration?: (state: VllmIterationState) => void;
}

/** What the property tests check after each iteration. */
export interface VllmIterationState {
  time: number;
  scheduledTokens: number;
  running: number;
  usedBlocks: number;
  /** Per request: tokens computed, and its tokens so far (prompt plus outputs made). */
  computed: Int32Array;
  length: Int32Array;
  pool: BlockPool;
}

export interface VllmRun {
  requests: RequestResult[];
  iterations: IterationResult[];
  /** Gaps between a request's consecutive output tokens, s (token-level ITL). */
  itlSamples: Float64Array;
}

/** Per-request state, kept in typed arrays indexed by input order. */
class Requests {
  readonly computed: Int32Array;
  /** Prompt plus outputs made so far (`num_tokens`). */
  readonly length: Int32Array;
  readonly made: Int32Array;
  readonly slot: Int32Array;
  /** Full blocks handed to the pool so far (its cached count). */
  readonly hashed: Int32Array;
  readonly hashes: (Float64Array | null)[];
  readonly results: RequestResult[];
  readonly lastToken: Float64Array;

  constructor(inputs: readonly ServingRequest[]) {
    const n = inputs.length;
    this.computed = new Int32Array(n);
    this.length = Int32Array.from(inputs, (r) => r.prompt);
    this.made = new Int32Array(n);
    this.slot = new Int32Array(n).fill(-1);
    this.hashed = new Int32Array(n);
    this.hashes = new Array(n).fill(null);
    this.lastToken = new Float64Array(n);
    this.results = inputs.map((r, i) => ({
      requestId: i, arrival: r.arrival, promptTokens: r.prompt, outputTokens: r.output, firstScheduled: NaN, firstToken: NaN,
      completion: NaN, ttft: NaN, tpot: NaN, e2e: NaN, preemptions: 0, prefixHitTokens: 0, hostHitTokens: 0, matchedPrefixBlocks: 0,
    }));
  }
}

export function runVllm(inputs: readonly ServingRequest[], config: VllmConfig, timeModel: TimeModel): VllmRun {
  const B = config.blockSize;
  let longest = 0;
  inputs.forEach((r, i) => {
    const blocks = Math.ceil((r.prompt + r.output) / B);
    if (blocks > config.kvBlocks) {
      throw new KvsimInputError(`request ${i} needs ${blocks} KV blocks of ${B} tokens (${r.prompt} + ${r.output} tokens), more than the cache's ${config.kvBlocks}`);
    }
    longest = Math.max(longest, blocks);
  });
  const pool = new BlockPool({
    gpuBlocks: config.kvBlocks, cpuBlocks: 0, tokensPerBlock: B, maxRequests: config.maxNumSeqs,
    maxBlocksPerRequest: Math.max(1, longest), eviction: config.eviction ?? "lru", seed: config.seed ?? 0,
  });
  const state = new Requests(inputs);
  const { computed, length, made, slot, hashed, hashes, results } = state;
  const freeSlots = Array.from({ length: config.maxNumSeqs }, (_, k) => config.maxNumSeqs - 1 - k);
  const order = inputs.map((_, i) => i).sort((a, b) => inputs[a]!.arrival - inputs[b]!.arrival || a - b);
  const waiting: number[] = []; // a deque: waiting[head…] in order
  let head = 0;
  let running: number[] = [];
  const batch = newIterationBatch(config.maxNumSeqs);
  const scheduled = new Int32Array(config.maxNumSeqs); // requests of this iteration, in batch order
  const iterations: IterationResult[] = [];
  const itl: number[] = [];
  let next = 0;
  let time = 0;
  let done = 0;

  const hashesOf = (r: number): Float64Array => {
    const total = inputs[r]!.prompt + inputs[r]!.output;
    return (hashes[r] ??= config.prefixCaching ? blockHashes(inputs[r]!, r, total, B) : uniqueHashes(r, total));
  };
  // Without prefix caching every block's hash is the request's own (request × 2^21 + block, below
  // 2^53 for 2^32 requests of 2^21 blocks): no two requests share one.
  const uniqueHashes = (r: number, total: number): Float64Array => Float64Array.from({ length: Math.floor(total / B) }, (_, b) => r * 0x200000 + b);

  const release = (r: number): void => {
    pool.free(slot[r]!);
    freeSlots.push(slot[r]!);
    slot[r] = -1;
    hashed[r] = 0;
  };
  const preempt = (r: number): void => {
    release(r);
    computed[r] = 0;
    results[r]!.preemptions++;
    // `waiting.prepend_request`
    if (head > 0) waiting[--head] = r;
    else waiting.unshift(r);
  };
  /** Grows a running request's blocks to `tokens`; false when the pool is out of blocks. */
  const grow = (r: number, tokens: number): boolean => {
    const full = Math.floor(tokens / B);
    const h = hashesOf(r);
    const got = pool.grow(slot[r]!, tokens, h.subarray(hashed[r]!, Math.max(hashed[r]!, full)));
    if (got < 0) return false;
    hashed[r] = Math.max(hashed[r]!, full);
    return true;
  };

  while (done < inputs.length) {
    if (running.length === 0 && head === waiting.length) time = Math.max(time, inputs[order[next]!]!.arrival);
    while (next < order.length && inputs[order[next]!]!.arrival <= time) {
      if (head > 0 && head === waiting.length) head = waiting.length = 0;
      waiting.push(order[next++]!);
    }
    let budget = config.maxBatchedTokens;
    batch.size = 0;
    let preempted = false;
    // 1. Running requests. Preemption pops from the end, so `running` stays the list of requests
    // that still run, those the budget did not reach included.
    for (let k = 0; k < running.length && budget > 0; k++) {
      const r = running[k]!;
      const tokens = Math.min(length[r]! - computed[r]!, budget);
      let fits = grow(r, computed[r]! + tokens);
      while (!fits) {
        const victim = running.pop()!;
        preempt(victim);
        preempted = true;
        if (victim === r) break;
        fits = grow(r, computed[r]! + tokens);
      }
      if (!fits) break;
      scheduled[batch.size] = r;
      addToBatch(batch, tokens, computed[r]!, tokens > 1 || computed[r]! < inputs[r]!.prompt, computed[r]! + tokens === length[r]!);
      budget -= tokens;
    }
    // 2. Waiting requests.
    if (!preempted) {
      while (head < waiting.length && budget > 0 && running.length < config.maxNumSeqs) {
        const r = waiting[head]!;
        const h = hashesOf(r);
        const total = length[r]!;
        const full = Math.floor(total / B);
        const found = config.prefixCaching ? pool.cachedPrefix("gpu", h.subarray(0, full)) : 0;
        const hitBlocks = Math.min(found, Math.floor((total - 1) / B));
        const hit = hitBlocks * B;
        const tokens = Math.min(total - hit, budget);
        const s = freeSlots.pop()!;
        const admitted = pool.admit(s, hit + tokens, h.subarray(0, Math.floor((hit + tokens) / B)));
        if (admitted < 0) {
          freeSlots.push(s);
          break;
        }
        head++;
        slot[r] = s;
        hashed[r] = Math.floor((hit + tokens) / B);
        computed[r] = hit;
        results[r]!.prefixHitTokens += hit;
        if (Number.isNaN(results[r]!.firstScheduled)) {
          results[r]!.firstScheduled = time;
          results[r]!.matchedPrefixBlocks = found;
        }
        running.push(r);
        scheduled[batch.size] = r;
        addToBatch(batch, tokens, hit, true, hit + tokens === total);
        budget -= tokens;
      }
    }
    if (batch.size === 0) {
      // Nothing fits and nothing runs: only possible while requests are still to arrive.
      if (next >= order.length) throw new Error("vllm: no request could be scheduled and none is running");
      time = Math.max(time, inputs[order[next]!]!.arrival);
      continue;
    }
    const start = time;
    const duration = timeModel.iterationTime(batch);
    time = start + duration;
    let prefillTokens = 0;
    let decodeTokens = 0;
    const usedBlocks = config.kvBlocks - pool.freeBlocks("gpu");
    for (let k = 0; k < batch.size; k++) {
      const r = scheduled[k]!;
      const tokens = batch.tokens[k]!;
      if (batch.prefill[k]) prefillTokens += tokens;
      else decodeTokens += tokens;
      computed[r] = computed[r]! + tokens;
      if (!batch.samples[k]) continue;
      const result = results[r]!;
      if (made[r] === 0) result.firstToken = time;
      else itl.push(time - state.lastToken[r]!);
      state.lastToken[r] = time;
      made[r] = made[r]! + 1;
      length[r] = length[r]! + 1;
      if (made[r] === inputs[r]!.output) {
        result.completion = time;
        result.ttft = result.firstToken - result.arrival;
        result.e2e = time - result.arrival;
        result.tpot = inputs[r]!.output > 1 ? (time - result.firstToken) / (inputs[r]!.output - 1) : NaN;
        release(r);
        hashes[r] = null;
        done++;
      }
    }
    running = running.filter((r) => slot[r]! >= 0);
    iterations.push({ start, duration, requests: batch.size, prefillTokens, decodeTokens, kvBlocksUsed: usedBlocks, hostBlocksCached: 0, bytesToHost: 0, bytesFromHost: 0 });
    config.onIteration?.({ time, scheduledTokens: config.maxBatchedTokens - budget, running: running.length, usedBlocks, computed, length, pool });
  }
  return { requests: results, iterations, itlSamples: Float64Array.from(itl) };
}
