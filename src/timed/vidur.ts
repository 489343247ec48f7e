import { addToBatch, newIterationBatch, type TimeModel } from "./time-model.js";
import type { ServingRequest } from "./requests.js";

/**
 * Vidur's replica schedulers (`vidur-vllm`, `sarathi`) and its batch timing, exactly as the
 * contract `shared/specs/vidur-scheduling.md` describes them (Vidur commit 7d47513, one replica,
 * PP 1, CPU overheads off): the simple event loop of its §4.8, the request lifecycle of §5, block
 * accounting of §6, batch formation of §7 and §8, the timing formula of §9.3 with its order of
 * double operations, and the metrics of §11. Section numbers below are the contract's.
 */

export type VidurScheduler = "vidur-vllm" | "sarathi";

export interface VidurConfig {
  scheduler: VidurScheduler;
  numBlocks: number;
  blockSize: number;
  watermarkBlocks: number;
  batchSizeCap: number;
  /** vidur-vllm: the padded token budget of a prefill batch. */
  maxTokensInBatch: number;
  /** sarathi: tokens per batch, decodes included. */
  chunkSize: number;
}

/** One request's state (§3.1), and at the end its results. */
export interface VidurRequest {
  id: number;
  arrivedAt: number;
  originalPrompt: number;
  originalOutput: number;
  p: number;
  d: number;
  processed: number;
  prefillComplete: boolean;
  scheduled: boolean;
  completed: boolean;
  restarts: number;
  scheduledAt: number;
  schedulingDelay: number;
  prefillCompletedAt: number;
  completedAt: number;
  executionTime: number;
  modelExecutionTime: number;
  preemptedTime: number;
  latestStageCompletedAt: number;
  latestIterationCompletedAt: number;
  latestIterationSchedulingDelay: number;
  /** KV blocks held (§6), or -1 when not admitted. */
  blocks: number;
}

export interface VidurBatch {
  size: number;
  prefillTokens: number;
  decodeTokens: number;
  /** `t_end − scheduled_at`, as Vidur reports it (§9.4). */
  executionTime: number;
  scheduledAt: number;
  /** KV blocks allocated once the batch was formed. */
  allocatedBlocks: number;
}

export interface VidurRun {
  requests: VidurRequest[];
  batches: VidurBatch[];
  /** Token-level time between tokens, one sample per output token but the first (§11.2). */
  tbtSamples: Float64Array;
}

interface Batch {
  reqs: VidurRequest[];
  toks: number[];
}

/** A batch being run, with its token counts fixed as it was formed (§3.2). */
interface Running {
  batch: Batch;
  scheduledAt: number;
  end: number;
  time: number;
  prefillTokens: number;
  decodeTokens: number;
  allocatedBlocks: number;
}

const newRequest = (id: number, r: ServingRequest): VidurRequest => ({
  id, arrivedAt: r.arrival, originalPrompt: r.prompt, originalOutput: r.output, p: r.prompt, d: r.output, processed: 0,
  prefillComplete: false, scheduled: false, completed: false, restarts: 0, scheduledAt: 0, schedulingDelay: 0,
  prefillCompletedAt: 0, completedAt: 0, executionTime: 0, modelExecutionTime: 0, preemptedTime: 0,
  latestStageCompletedAt: 0, latestIterationCompletedAt: 0, latestIterationSchedulingDelay: 0, blocks: -1,
});

const byArrival = (a: VidurRequest, b: VidurRequest): number => a.arrivedAt - b.arrivedAt;

/**
 * Replays `inputs` through Vidur's scheduler `config.scheduler`, timed by `timeModel` (Vidur's own
 * timing is the profile model on its tables). Request i is
 * `inputs[i]`; they arrive in a stable sort by arrival time (§4.2).
 */
export function replayVidur(inputs: readonly ServingRequest[], config: VidurConfig, timeModel: TimeModel): VidurRun {
  const requests = inputs.map((r, i) => newRequest(i, r));
  const arrivals = [...requests].sort(byArrival);
  const W: VidurRequest[] = [];
  let R: VidurRequest[] = [];
  let admitted = 0; // |A|
  let allocated = 0;
  const batches: VidurBatch[] = [];
  const tbt: number[] = [];
  const bs = config.blockSize;

  // §6
  const canAllocate = (r: VidurRequest): boolean => r.blocks < 0
    ? config.numBlocks - allocated - Math.ceil(r.p / bs) >= config.watermarkBlocks
    : config.numBlocks - allocated >= 1;
  const allocate = (r: VidurRequest): void => {
    if (r.blocks < 0) {
      r.blocks = Math.ceil(r.p / bs);
      allocated += r.blocks;
      admitted++;
      return;
    }
    const need = Math.max(0, r.processed - bs * r.blocks);
    if (need > 1) throw new Error(`vidur: request ${r.id} needs ${need} blocks at once`);
    r.blocks += need;
    allocated += need;
  };
  const free = (r: VidurRequest): void => {
    allocated -= r.blocks;
    admitted--;
    r.blocks = -1;
  };
  // §5.4: the caller frees the blocks and puts the request at the front of W.
  const restart = (r: VidurRequest): void => {
    const total = r.p + r.d;
    r.p = r.processed;
    r.d = total - r.p;
    r.processed = 0;
    r.prefillComplete = false;
    r.scheduled = false;
    r.completed = false;
    r.restarts++;
    free(r);
    W.unshift(r);
  };
  /** Makes room for running request r's decode step by restarting the latest arrivals left in R; false if r itself restarted. */
  const admitRunning = (r: VidurRequest): boolean => {
    while (!canAllocate(r)) {
      if (R.length > 0) {
        restart(R.pop()!);
      } else {
        restart(r);
        return false;
      }
    }
    allocate(r);
    return true;
  };

  // §7
  const nextVllm = (): Batch | null => {
    const reqs: VidurRequest[] = [];
    const toks: number[] = [];
    let longest = 0;
    while (W.length > 0) {
      const r = W[0]!;
      const n = r.prefillComplete ? 1 : r.p;
      if (!canAllocate(r)) break;
      if ((toks.length + 1) * Math.max(longest, n) > config.maxTokensInBatch) break;
      if (admitted === config.batchSizeCap) break;
      if (reqs.length === config.batchSizeCap) break;
      W.shift();
      allocate(r);
      reqs.push(r);
      toks.push(n);
      longest = Math.max(longest, n);
    }
    if (reqs.length > 0) return { reqs, toks };
    R.sort(byArrival); // Array.prototype.sort is stable
    while (R.length > 0) {
      if (reqs.length === config.batchSizeCap) break;
      const r = R.shift()!;
      if (admitRunning(r)) {
        reqs.push(r);
        toks.push(1);
      }
    }
    return reqs.length > 0 ? { reqs, toks } : null;
  };

  // §8
  const chunk = (r: VidurRequest, used: number): number => (r.prefillComplete ? 1 : Math.max(0, Math.min(r.p - r.processed, config.chunkSize - used)));
  const nextSarathi = (): Batch | null => {
    const reqs: VidurRequest[] = [];
    const toks: number[] = [];
    const skipped: VidurRequest[] = [];
    const runningPrefills: VidurRequest[] = [];
    let used = 0;
    while (R.length > 0) {
      if (reqs.length === config.batchSizeCap) break;
      const r = R.shift()!;
      if (!r.prefillComplete) {
        runningPrefills.push(r);
        continue;
      }
      if (admitRunning(r)) {
        used += 1;
        reqs.push(r);
        toks.push(1);
      }
    }
    for (const r of runningPrefills) {
      const n = chunk(r, used);
      if (n === 0) {
        skipped.push(r);
        continue;
      }
      used += n;
      reqs.push(r);
      toks.push(n);
    }
    R = [...skipped, ...R].sort(byArrival);
    while (W.length > 0) {
      if (admitted === config.batchSizeCap) break;
      if (reqs.length === config.batchSizeCap) break;
      const r = W[0]!;
      if (!canAllocate(r)) break;
      const n = chunk(r, used);
      if (n === 0) break;
      W.shift();
      allocate(r);
      used += n;
      reqs.push(r);
      toks.push(n);
    }
    return reqs.length > 0 ? { reqs, toks } : null;
  };
  const nextBatch = config.scheduler === "sarathi" ? nextSarathi : nextVllm;

  // §9.3 is the profile time model (profile-model.ts); any other model times the same batches.
  const shape = newIterationBatch(Math.max(1, inputs.length));
  const batchTime = (b: Batch): number => {
    shape.size = 0;
    b.reqs.forEach((r, i) => addToBatch(shape, b.toks[i]!, r.processed, !r.prefillComplete, false));
    return timeModel.iterationTime(shape);
  };

  let running: Running | null = null;
  // §4.8 start(t)
  const start = (t: number): void => {
    const batch = nextBatch();
    if (!batch) return;
    let prefillTokens = 0;
    let decodeTokens = 0;
    batch.reqs.forEach((r, k) => {
      if (r.prefillComplete) decodeTokens += batch.toks[k]!;
      else prefillTokens += batch.toks[k]!;
    });
    for (const r of batch.reqs) {
      // §5.1
      r.latestIterationSchedulingDelay = t - r.latestIterationCompletedAt;
      if (!r.scheduled) {
        if (r.restarts === 0) {
          r.scheduledAt = t;
          r.schedulingDelay = t - r.arrivedAt;
        }
        r.scheduled = true;
      }
    }
    const E = batchTime(batch);
    for (const r of batch.reqs) {
      // §5.2 on_stage_schedule
      r.preemptedTime = r.latestStageCompletedAt === 0 ? 0 : r.preemptedTime + (t - r.latestStageCompletedAt);
    }
    running = { batch, scheduledAt: t, end: t + E, time: E, prefillTokens, decodeTokens, allocatedBlocks: allocated };
  };

  let i = 0;
  while (i < arrivals.length || running) {
    const current = running as Running | null;
    if (i < arrivals.length && (!current || arrivals[i]!.arrivedAt <= current.end)) {
      const t = arrivals[i]!.arrivedAt;
      while (i < arrivals.length && arrivals[i]!.arrivedAt === t) W.push(arrivals[i++]!);
      if (!current) start(t);
      continue;
    }
    const { batch, scheduledAt, end: t, time: E, prefillTokens, decodeTokens, allocatedBlocks } = current!;
    running = null;
    for (const r of batch.reqs) {
      r.executionTime += E;
      r.modelExecutionTime += E;
      r.latestStageCompletedAt = t;
    }
    batch.reqs.forEach((r, k) => {
      // §5.3
      r.processed += batch.toks[k]!;
      r.latestIterationCompletedAt = t;
      if (r.processed === r.p) {
        r.prefillComplete = true;
        r.processed += 1;
        if (r.prefillCompletedAt === 0) r.prefillCompletedAt = t;
      }
      if (r.processed === r.p + r.d) {
        r.completed = true;
        r.completedAt = t;
      }
    });
    for (const r of batch.reqs) {
      if (r.completed) free(r);
      else R.push(r);
    }
    for (const r of batch.reqs) if (r.processed > r.p + 1) tbt.push((t - scheduledAt) + r.latestIterationSchedulingDelay);
    batches.push({ size: batch.reqs.length, prefillTokens, decodeTokens, executionTime: t - scheduledAt, scheduledAt, allocatedBlocks });
    start(t);
  }
  return { requests, batches, tbtSamples: Float64Array.from(tbt) };
}
