import { TimedStop } from "../abi/timed";
import { resizedF64, resizedI32, resizedU8 } from "../util/arrays";
import { SlotDeque } from "../util/slot-deque";
import * as batch from "./batch";
import * as output from "./output";
import * as requests from "./requests";
import { Scheduler } from "./scheduler";
import { TimeModel } from "./time-model";

// Per request slot (§3.1), only what the results need, and the block accounting (§6): module
// state, as the block pool keeps its own, since one replica runs per instance.
export let pOf = new StaticArray<i32>(0);
export let dOf = new StaticArray<i32>(0);
export let processedOf = new StaticArray<i32>(0);
export let prefillCompleteOf = new StaticArray<u8>(0);
let scheduledOf = new StaticArray<u8>(0);
let restartsOf = new StaticArray<i32>(0);
let blocksOf = new StaticArray<i32>(0);
let scheduledAtOf = new StaticArray<f64>(0);
let prefillCompletedAtOf = new StaticArray<f64>(0);
let latestCompletedOf = new StaticArray<f64>(0);
let latestDelayOf = new StaticArray<f64>(0);
export let admitted: i32 = 0;
let allocated: i32 = 0;
let numBlocks: i32 = 0;
let blockSize: i32 = 0;
let watermarkBlocks: i32 = 0;
export let batchSizeCap: i32 = 0;
/** When the batch being formed starts (the clock of `start`). */
let formedAt: f64 = 0;

/**
 * What Vidur's two replica schedulers share (`shared/specs/vidur-scheduling.md`; section numbers
 * are the contract's): the event loop of §4.8, the request lifecycle of §5, the block accounting
 * of §6 and the metrics of §11 — the WebAssembly twin of src/timed/vidur.ts. A subclass forms the
 * batches (`nextBatch`, §7 or §8) into batch.ts, each entry with its context and prefill flag.
 */
export abstract class VidurReplica extends Scheduler {
  /** W, the waiting queue, and R, the requests between batches. */
  waiting: SlotDeque = new SlotDeque(1024);
  held: SlotDeque = new SlotDeque(256);
  /** Whether R is in arrival order (then sorting it changes nothing, and is skipped). */
  heldSorted: bool = true;

  // The batch being run (§3.2), its requests in batch.ts.
  busy: bool = false;
  batchStart: f64 = 0;
  batchEnd: f64 = 0;
  batchBlocks: i32 = 0;
  time: f64 = 0;

  constructor(timeModel: TimeModel, blocks: i32, tokensPerBlock: i32, watermark: i32, cap: i32) {
    super(timeModel);
    numBlocks = blocks;
    blockSize = tokensPerBlock;
    watermarkBlocks = watermark;
    batchSizeCap = cap;
    admitted = 0;
    allocated = 0;
    // Fresh per-slot state: the arena was reset since any earlier run.
    pOf = new StaticArray<i32>(0);
    dOf = new StaticArray<i32>(0);
    processedOf = new StaticArray<i32>(0);
    prefillCompleteOf = new StaticArray<u8>(0);
    scheduledOf = new StaticArray<u8>(0);
    restartsOf = new StaticArray<i32>(0);
    blocksOf = new StaticArray<i32>(0);
    scheduledAtOf = new StaticArray<f64>(0);
    prefillCompletedAtOf = new StaticArray<f64>(0);
    latestCompletedOf = new StaticArray<f64>(0);
    latestDelayOf = new StaticArray<f64>(0);
  }

  resize(n: i32): void {
    pOf = resizedI32(pOf, n);
    dOf = resizedI32(dOf, n);
    processedOf = resizedI32(processedOf, n);
    prefillCompleteOf = resizedU8(prefillCompleteOf, n);
    scheduledOf = resizedU8(scheduledOf, n);
    restartsOf = resizedI32(restartsOf, n);
    blocksOf = resizedI32(blocksOf, n);
    scheduledAtOf = resizedF64(scheduledAtOf, n);
    prefillCompletedAtOf = resizedF64(prefillCompletedAtOf, n);
    latestCompletedOf = resizedF64(latestCompletedOf, n);
    latestDelayOf = resizedF64(latestDelayOf, n);
  }

  clock(): f64 {
    return this.time;
  }

  usedBlocks(): i32 {
    return allocated;
  }

  runningCount(): i32 {
    return this.held.length + (this.busy ? batch.size : 0);
  }

  /** Forms the next batch into batch.ts; false when there is none (§7, §8). */
  abstract nextBatch(): bool;

  private arrive(r: i32): void {
    unchecked(pOf[r] = requests.prompt[r]);
    unchecked(dOf[r] = requests.output[r]);
    unchecked(processedOf[r] = 0);
    unchecked(prefillCompleteOf[r] = 0);
    unchecked(scheduledOf[r] = 0);
    unchecked(restartsOf[r] = 0);
    unchecked(blocksOf[r] = -1);
    unchecked(scheduledAtOf[r] = 0);
    unchecked(prefillCompletedAtOf[r] = 0);
    unchecked(latestCompletedOf[r] = 0);
    unchecked(latestDelayOf[r] = 0);
    this.waiting.pushBack(r);
  }

  // §6
  @inline protected canAllocate(r: i32): bool {
    const blocks = unchecked(blocksOf[r]);
    if (blocks < 0) return numBlocks - allocated - (unchecked(pOf[r]) + blockSize - 1) / blockSize >= watermarkBlocks;
    return numBlocks - allocated >= 1;
  }

  @inline protected allocate(r: i32): void {
    const blocks = unchecked(blocksOf[r]);
    if (blocks < 0) {
      const n = (unchecked(pOf[r]) + blockSize - 1) / blockSize;
      unchecked(blocksOf[r] = n);
      allocated += n;
      admitted++;
      return;
    }
    const need = max(0, unchecked(processedOf[r]) - blockSize * blocks);
    if (need > 1) abort("vidur: a request needs more than one block at once");
    unchecked(blocksOf[r] = blocks + need);
    allocated += need;
  }

  @inline private free(r: i32): void {
    allocated -= unchecked(blocksOf[r]);
    admitted--;
    unchecked(blocksOf[r] = -1);
  }

  // §5.4: blocks freed, back to the front of W.
  private restart(r: i32): void {
    const total = unchecked(pOf[r]) + unchecked(dOf[r]);
    const p = unchecked(processedOf[r]);
    unchecked(pOf[r] = p);
    unchecked(dOf[r] = total - p);
    unchecked(processedOf[r] = 0);
    unchecked(prefillCompleteOf[r] = 0);
    unchecked(scheduledOf[r] = 0);
    unchecked(restartsOf[r] = restartsOf[r] + 1);
    this.free(r);
    this.waiting.pushFront(r);
  }

  /** Makes room for running request r's decode by restarting the latest arrivals left in R; false if r itself restarted. */
  @inline protected admitRunning(r: i32): bool {
    if (!this.canAllocate(r)) return this.makeRoom(r);
    this.allocate(r);
    return true;
  }

  /** `admitRunning` when blocks have run out. */
  private makeRoom(r: i32): bool {
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

  /**
   * Appends request r with n tokens to the batch being formed at `formedAt`, and starts its
   * iteration there (§5.1, which Vidur does once the batch is formed: nothing that forms a batch
   * reads what it sets, and a request once in the batch is not restarted).
   */
  @inline protected add(r: i32, n: i32): void {
    batch.addToBatch(r, n, unchecked(processedOf[r]), !unchecked(prefillCompleteOf[r]), false);
    const t = formedAt;
    unchecked(latestDelayOf[r] = t - latestCompletedOf[r]);
    if (!unchecked(scheduledOf[r])) {
      if (unchecked(restartsOf[r]) == 0) unchecked(scheduledAtOf[r] = t);
      unchecked(scheduledOf[r] = 1);
    }
  }

  /** Appends r to R, noting whether R stays in arrival order. */
  @inline protected hold(r: i32): void {
    const R = this.held;
    if (R.length > 0 && unchecked(requests.arrival[r]) < unchecked(requests.arrival[R.last()])) this.heldSorted = false;
    R.pushBack(r);
  }

  /** Puts r at R's front, noting whether R stays in arrival order. */
  protected holdFirst(r: i32): void {
    const R = this.held;
    if (R.length > 0 && unchecked(requests.arrival[r]) > unchecked(requests.arrival[R.first()])) this.heldSorted = false;
    R.pushFront(r);
  }

  /** Sorts R by arrival, stably (Array.prototype.sort's order): insertion sort, as R is nearly sorted. */
  protected sortHeld(): void {
    if (this.heldSorted) return;
    this.heldSorted = true;
    const q = this.held;
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
    formedAt = t;
    if (!this.nextBatch()) {
      this.busy = false;
      return true;
    }
    const E = this.timeModel.iterationTime();
    if (isNaN(E)) return false;
    this.busy = true;
    this.batchStart = t;
    this.batchEnd = t + E;
    this.batchBlocks = allocated;
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
    // The batch completes at t. One pass in batch order: each request's §5.3 update, then it leaves
    // (freed and its row written) or waits in R, then its token gap (§11.2).
    const t = this.batchEnd;
    const started = this.batchStart;
    this.time = t;
    const slots = batch.slots;
    const tokens = batch.tokens;
    const elapsed = t - started;
    for (let k = 0, n = batch.size; k < n; k++) {
      const r = unchecked(slots[k]);
      let processed = unchecked(processedOf[r]) + unchecked(tokens[k]);
      unchecked(latestCompletedOf[r] = t);
      const p = unchecked(pOf[r]);
      if (processed == p) {
        unchecked(prefillCompleteOf[r] = 1);
        processed += 1;
        if (unchecked(prefillCompletedAtOf[r]) == 0) unchecked(prefillCompletedAtOf[r] = t);
      }
      unchecked(processedOf[r] = processed);
      if (processed > p + 1) output.writeGap(elapsed + unchecked(latestDelayOf[r]));
      if (processed != p + unchecked(dOf[r])) {
        this.hold(r);
        continue;
      }
      this.free(r);
      const arrival = unchecked(requests.arrival[r]);
      const out = unchecked(requests.output[r]);
      const firstToken = unchecked(prefillCompletedAtOf[r]);
      const ttft = firstToken - arrival;
      const e2e = t - arrival;
      output.writeRequest(
        unchecked(requests.id[r]), arrival, unchecked(requests.prompt[r]), out, unchecked(scheduledAtOf[r]), firstToken, t,
        ttft, out > 1 ? (e2e - ttft) / <f64>(out - 1) : NaN, e2e, unchecked(restartsOf[r]), 0, 0, 0,
      );
      requests.release(r);
    }
    output.writeIteration(started, t - started, batch.size, batch.prefillTokens, batch.decodeTokens, this.batchBlocks);
    if (!this.start(t)) return TimedStop.outsideModel;
    return -1;
  }
}
