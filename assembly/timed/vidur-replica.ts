import { TimedStop } from "../abi/timed";
import { resizedF64, resizedI32, resizedU8 } from "../util/arrays";
import { SlotDeque } from "../util/slot-deque";
import * as batch from "./batch";
import * as output from "./output";
import * as requests from "./requests";
import { Scheduler } from "./scheduler";
import { TimeModel } from "./time-model";

/**
 * What Vidur's two replica schedulers share (`shared/specs/vidur-scheduling.md`; section numbers
 * are the contract's): the event loop of §4.8, the request lifecycle of §5, the block accounting
 * of §6 and the metrics of §11 — the WebAssembly twin of src/timed/vidur.ts. A subclass forms the
 * batches (`nextBatch`, §7 or §8) into batch.ts, each entry with its context and prefill flag.
 */
export abstract class VidurReplica extends Scheduler {
  // Per request slot (§3.1), only what the results need.
  p: StaticArray<i32> = new StaticArray<i32>(0);
  d: StaticArray<i32> = new StaticArray<i32>(0);
  processed: StaticArray<i32> = new StaticArray<i32>(0);
  prefillComplete: StaticArray<u8> = new StaticArray<u8>(0);
  scheduled: StaticArray<u8> = new StaticArray<u8>(0);
  completed: StaticArray<u8> = new StaticArray<u8>(0);
  restarts: StaticArray<i32> = new StaticArray<i32>(0);
  blocks: StaticArray<i32> = new StaticArray<i32>(0);
  scheduledAt: StaticArray<f64> = new StaticArray<f64>(0);
  prefillCompletedAt: StaticArray<f64> = new StaticArray<f64>(0);
  latestIterationCompletedAt: StaticArray<f64> = new StaticArray<f64>(0);
  latestIterationSchedulingDelay: StaticArray<f64> = new StaticArray<f64>(0);

  /** W, the waiting queue, and R, the requests between batches. */
  waiting: SlotDeque = new SlotDeque(1024);
  held: SlotDeque = new SlotDeque(256);
  admitted: i32 = 0;
  allocated: i32 = 0;

  // The batch being run (§3.2), its requests in batch.ts.
  busy: bool = false;
  batchStart: f64 = 0;
  batchEnd: f64 = 0;
  batchTime: f64 = 0;
  batchPrefillTokens: i32 = 0;
  batchDecodeTokens: i32 = 0;
  batchBlocks: i32 = 0;
  time: f64 = 0;

  constructor(
    timeModel: TimeModel,
    protected numBlocks: i32,
    protected blockSize: i32,
    protected watermarkBlocks: i32,
    protected batchSizeCap: i32,
  ) {
    super(timeModel);
  }

  resize(n: i32): void {
    this.p = resizedI32(this.p, n);
    this.d = resizedI32(this.d, n);
    this.processed = resizedI32(this.processed, n);
    this.prefillComplete = resizedU8(this.prefillComplete, n);
    this.scheduled = resizedU8(this.scheduled, n);
    this.completed = resizedU8(this.completed, n);
    this.restarts = resizedI32(this.restarts, n);
    this.blocks = resizedI32(this.blocks, n);
    this.scheduledAt = resizedF64(this.scheduledAt, n);
    this.prefillCompletedAt = resizedF64(this.prefillCompletedAt, n);
    this.latestIterationCompletedAt = resizedF64(this.latestIterationCompletedAt, n);
    this.latestIterationSchedulingDelay = resizedF64(this.latestIterationSchedulingDelay, n);
  }

  clock(): f64 {
    return this.time;
  }

  usedBlocks(): i32 {
    return this.allocated;
  }

  runningCount(): i32 {
    return this.held.length + (this.busy ? batch.size : 0);
  }

  /** Forms the next batch into batch.ts; false when there is none (§7, §8). */
  abstract nextBatch(): bool;

  private arrive(r: i32): void {
    unchecked(this.p[r] = requests.prompt[r]);
    unchecked(this.d[r] = requests.output[r]);
    unchecked(this.processed[r] = 0);
    unchecked(this.prefillComplete[r] = 0);
    unchecked(this.scheduled[r] = 0);
    unchecked(this.completed[r] = 0);
    unchecked(this.restarts[r] = 0);
    unchecked(this.blocks[r] = -1);
    unchecked(this.scheduledAt[r] = 0);
    unchecked(this.prefillCompletedAt[r] = 0);
    unchecked(this.latestIterationCompletedAt[r] = 0);
    unchecked(this.latestIterationSchedulingDelay[r] = 0);
    this.waiting.pushBack(r);
  }

  // §6
  protected canAllocate(r: i32): bool {
    const blocks = unchecked(this.blocks[r]);
    if (blocks < 0) return this.numBlocks - this.allocated - (unchecked(this.p[r]) + this.blockSize - 1) / this.blockSize >= this.watermarkBlocks;
    return this.numBlocks - this.allocated >= 1;
  }

  protected allocate(r: i32): void {
    const blocks = unchecked(this.blocks[r]);
    if (blocks < 0) {
      const n = (unchecked(this.p[r]) + this.blockSize - 1) / this.blockSize;
      unchecked(this.blocks[r] = n);
      this.allocated += n;
      this.admitted++;
      return;
    }
    const need = max(0, unchecked(this.processed[r]) - this.blockSize * blocks);
    if (need > 1) abort("vidur: a request needs more than one block at once");
    unchecked(this.blocks[r] = blocks + need);
    this.allocated += need;
  }

  private free(r: i32): void {
    this.allocated -= unchecked(this.blocks[r]);
    this.admitted--;
    unchecked(this.blocks[r] = -1);
  }

  // §5.4: blocks freed, back to the front of W.
  private restart(r: i32): void {
    const total = unchecked(this.p[r]) + unchecked(this.d[r]);
    const p = unchecked(this.processed[r]);
    unchecked(this.p[r] = p);
    unchecked(this.d[r] = total - p);
    unchecked(this.processed[r] = 0);
    unchecked(this.prefillComplete[r] = 0);
    unchecked(this.scheduled[r] = 0);
    unchecked(this.completed[r] = 0);
    unchecked(this.restarts[r] = this.restarts[r] + 1);
    this.free(r);
    this.waiting.pushFront(r);
  }

  /** Makes room for running request r's decode by restarting the latest arrivals left in R; false if r itself restarted. */
  protected admitRunning(r: i32): bool {
    while (!this.canAllocate(r)) {
      if (this.held.length > 0) {
        this.restart(this.held.popBack());
      } else {
        this.restart(r);
        return false;
      }
    }
    this.allocate(r);
    return true;
  }

  /** Appends request r with n tokens to the batch being formed. */
  @inline protected add(r: i32, n: i32): void {
    batch.addToBatch(r, n, unchecked(this.processed[r]), !unchecked(this.prefillComplete[r]), false);
  }

  /** Sorts `q` by arrival, stably (Array.prototype.sort's order): insertion sort, as R is nearly sorted. */
  protected sortByArrival(q: SlotDeque): void {
    const arrival = requests.arrival;
    for (let i = 1; i < q.length; i++) {
      const x = q.at(i);
      const key = unchecked(arrival[x]);
      let j = i - 1;
      while (j >= 0 && unchecked(arrival[q.at(j)]) > key) {
        q.set(j + 1, q.at(j));
        j--;
      }
      q.set(j + 1, x);
    }
  }

  // §4.8 start(t); false when the time model has no time for the batch.
  private start(t: f64): bool {
    batch.clearBatch();
    if (!this.nextBatch()) {
      this.busy = false;
      return true;
    }
    let prefillTokens = 0;
    let decodeTokens = 0;
    for (let k = 0; k < batch.size; k++) {
      const r = unchecked(batch.slots[k]);
      if (unchecked(this.prefillComplete[r])) decodeTokens += unchecked(batch.tokens[k]);
      else prefillTokens += unchecked(batch.tokens[k]);
      // §5.1
      unchecked(this.latestIterationSchedulingDelay[r] = t - this.latestIterationCompletedAt[r]);
      if (!unchecked(this.scheduled[r])) {
        if (unchecked(this.restarts[r]) == 0) unchecked(this.scheduledAt[r] = t);
        unchecked(this.scheduled[r] = 1);
      }
    }
    const E = this.timeModel.iterationTime();
    if (isNaN(E)) return false;
    this.busy = true;
    this.batchStart = t;
    this.batchEnd = t + E;
    this.batchTime = E;
    this.batchPrefillTokens = prefillTokens;
    this.batchDecodeTokens = decodeTokens;
    this.batchBlocks = this.allocated;
    return true;
  }

  step(): i32 {
    const pending = requests.pending;
    while (true) {
      if (!this.busy && pending.length == 0) {
        if (!requests.inputEnded) return TimedStop.needInput;
        if (this.waiting.length > 0 || this.held.length > 0) abort("vidur: requests wait but no batch can be formed");
        return TimedStop.done;
      }
      if (requests.needsInput(this.busy ? this.batchEnd : requests.firstPendingArrival())) return TimedStop.needInput;
      if (pending.length == 0 || (this.busy && requests.firstPendingArrival() > this.batchEnd)) break;
      const t = requests.firstPendingArrival();
      while (pending.length > 0 && requests.firstPendingArrival() == t) this.arrive(pending.popFront());
      this.time = t;
      if (!this.busy && !this.start(t)) return TimedStop.outsideModel;
    }
    if (!output.hasRoom(batch.size)) return TimedStop.outputFull;
    // The batch completes at t.
    const t = this.batchEnd;
    const started = this.batchStart;
    this.time = t;
    for (let k = 0; k < batch.size; k++) {
      // §5.3
      const r = unchecked(batch.slots[k]);
      let processed = unchecked(this.processed[r]) + unchecked(batch.tokens[k]);
      unchecked(this.latestIterationCompletedAt[r] = t);
      const p = unchecked(this.p[r]);
      if (processed == p) {
        unchecked(this.prefillComplete[r] = 1);
        processed += 1;
        if (unchecked(this.prefillCompletedAt[r]) == 0) unchecked(this.prefillCompletedAt[r] = t);
      }
      unchecked(this.processed[r] = processed);
      if (processed == p + unchecked(this.d[r])) unchecked(this.completed[r] = 1);
    }
    for (let k = 0; k < batch.size; k++) {
      const r = unchecked(batch.slots[k]);
      if (unchecked(this.completed[r])) this.free(r);
      else this.held.pushBack(r);
    }
    for (let k = 0; k < batch.size; k++) {
      const r = unchecked(batch.slots[k]);
      if (unchecked(this.processed[r]) > unchecked(this.p[r]) + 1) output.writeGap((t - started) + unchecked(this.latestIterationSchedulingDelay[r]));
    }
    for (let k = 0; k < batch.size; k++) {
      const r = unchecked(batch.slots[k]);
      if (!unchecked(this.completed[r])) continue;
      const arrival = unchecked(requests.arrival[r]);
      const out = unchecked(requests.output[r]);
      const firstToken = unchecked(this.prefillCompletedAt[r]);
      const ttft = firstToken - arrival;
      const e2e = t - arrival;
      output.writeRequest(
        unchecked(requests.id[r]), arrival, unchecked(requests.prompt[r]), out, unchecked(this.scheduledAt[r]), firstToken, t,
        ttft, out > 1 ? (e2e - ttft) / <f64>(out - 1) : NaN, e2e, unchecked(this.restarts[r]), 0,
      );
      requests.release(r);
    }
    output.writeIteration(started, t - started, batch.size, this.batchPrefillTokens, this.batchDecodeTokens, this.batchBlocks);
    if (!this.start(t)) return TimedStop.outsideModel;
    return -1;
  }
}
