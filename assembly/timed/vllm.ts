import { PoolRefusal } from "../abi/block-pool";
import { TimedInvariant, TimedStop } from "../abi/timed";
import * as pool from "../blocks/pool";
import { resizedF64, resizedI32 } from "../util/arrays";
import { SlotDeque } from "../util/slot-deque";
import * as batch from "./batch";
import { hashBlocks, resetChain, uniqueHashes } from "./block-hashes";
import { DiskLinks } from "./disk-links";
import { futureKnown, writeUses } from "./future";
import { Link } from "./link";
import * as output from "./output";
import * as requests from "./requests";
import { Scheduler } from "./scheduler";
import { TimeModel } from "./time-model";

/**
 * kvsim's `vllm` scheduler, vLLM v1's `Scheduler.schedule()` on the block pool: the WebAssembly
 * twin of src/timed/vllm.ts, whose comment gives the lines of vLLM it follows and what it leaves
 * out. Each step is one iteration: running requests first (preempting the last by recompute when
 * blocks run out), then waiting ones FCFS while budget and seats last, then the batch is timed
 * and its requests advance.
 */
export class Vllm extends Scheduler {
  // Per request slot.
  computed: StaticArray<i32> = new StaticArray<i32>(0);
  /** Prompt plus outputs made so far (`num_tokens`). */
  length: StaticArray<i32> = new StaticArray<i32>(0);
  made: StaticArray<i32> = new StaticArray<i32>(0);
  poolSlot: StaticArray<i32> = new StaticArray<i32>(0);
  /** Full blocks handed to the pool so far. */
  hashed: StaticArray<i32> = new StaticArray<i32>(0);
  /** Tokens the request's blocks hold (blocks × block size): growing within them needs no pool call. */
  room: StaticArray<i32> = new StaticArray<i32>(0);
  lastToken: StaticArray<f64> = new StaticArray<f64>(0);
  firstScheduled: StaticArray<f64> = new StaticArray<f64>(0);
  firstToken: StaticArray<f64> = new StaticArray<f64>(0);
  preemptions: StaticArray<i32> = new StaticArray<i32>(0);
  prefixHit: StaticArray<i32> = new StaticArray<i32>(0);
  /** Prefix blocks found at the request's first admission, on the GPU then in the host tier, before the last-token cap. */
  matched: StaticArray<i32> = new StaticArray<i32>(0);
  /** Prompt tokens loaded from the host tier, and when the last load of the request arrives. */
  hostHit: StaticArray<i32> = new StaticArray<i32>(0);
  /** Prompt tokens loaded from the disk tier (through the host). */
  diskHit: StaticArray<i32> = new StaticArray<i32>(0);
  readyAt: StaticArray<f64> = new StaticArray<f64>(0);
  /** Layer-wise loads: when the first layer's share of the request's load has arrived. */
  firstLayerAt: StaticArray<f64> = new StaticArray<f64>(0);

  /** The host tier's links (none without one): loads come up, offloads go down. */
  fromHost: Link | null = null;
  toHost: Link | null = null;
  /** The disk tier's link to the host tier (none without one). */
  disk: DiskLinks | null = null;
  blockBytes: f64 = 0;
  hostBytesPerS: f64 = 0;
  /** Loads pipelined layer by layer with compute (0: a request waits for its whole load), over this many layers. */
  loadLayers: i32 = 0;
  /** Load a prefix found in the host only when that is estimated faster than computing it. */
  loadIfFaster: bool = false;
  /** Whether a request of this iteration's batch is still loading (layer-wise loads only). */
  loadingInBatch: bool = false;
  /** When the first layer of the load `loadBelow` last queued or estimated has come up. */
  loadFirstLayer: f64 = 0;
  /** Offloaded blocks the toHost link has carried (the pool counts them as they happen). */
  offloadsCarried: i64 = 0;
  loadedBlocks: i64 = 0;
  /** Bytes each link had carried at the end of the last iteration row, whose deltas the next row reports. */
  toHostAtRow: f64 = 0;
  fromHostAtRow: f64 = 0;

  waiting: SlotDeque = new SlotDeque(1024);
  /** Requests preempted by swap, their blocks in the host tier, in the order they were preempted. */
  swapped: SlotDeque = new SlotDeque(64);
  /** Preempt by swapping to the host tier (vLLM v0's `PreemptionMode.SWAP`) instead of by recompute. */
  swapping: bool = false;
  running: StaticArray<i32>;
  runningLength: i32 = 0;
  freePoolSlots: StaticArray<i32>;
  freePoolSlotCount: i32;
  time: f64 = 0;
  scheduledTokens: i32 = 0;

  constructor(
    timeModel: TimeModel,
    private kvBlocks: i32,
    private blockSize: i32,
    private maxNumSeqs: i32,
    /** Pool slots: one per seat, and with swapping as many again for swapped requests. */
    poolSlots: i32,
    private maxBatchedTokens: i32,
    private prefixCaching: bool,
    /** `TimedCacheModel.replay`: prompts' last blocks are cached partly filled, all of a prefix can be shared, blocks are freed first to last. */
    private replay: bool,
  ) {
    super(timeModel);
    this.running = new StaticArray<i32>(maxNumSeqs);
    this.freePoolSlots = new StaticArray<i32>(poolSlots);
    // Popped from the end: pool slot 0 first, as the reference's stack.
    for (let k = 0; k < poolSlots; k++) unchecked(this.freePoolSlots[k] = poolSlots - 1 - k);
    this.freePoolSlotCount = poolSlots;
  }

  /** A host tier below the GPU (the pool's CPU tier), over a link of this bandwidth and latency each way. */
  addHostTier(blockBytes: f64, bytesPerS: f64, latencyS: f64, loadLayers: i32): void {
    this.blockBytes = blockBytes;
    this.hostBytesPerS = bytesPerS;
    this.loadLayers = loadLayers;
    this.fromHost = new Link(bytesPerS, latencyS);
    this.toHost = new Link(bytesPerS, latencyS);
  }

  /** A disk tier below the host tier (the pool's disk tier), over a link reading and writing at these rates and latencies. */
  addDiskTier(readBytesPerS: f64, readLatencyS: f64, writeBytesPerS: f64, writeLatencyS: f64): void {
    this.disk = new DiskLinks(readBytesPerS, readLatencyS, writeBytesPerS, writeLatencyS);
  }

  resize(n: i32): void {
    this.hostHit = resizedI32(this.hostHit, n);
    this.diskHit = resizedI32(this.diskHit, n);
    this.readyAt = resizedF64(this.readyAt, n);
    this.firstLayerAt = resizedF64(this.firstLayerAt, n);
    this.computed = resizedI32(this.computed, n);
    this.length = resizedI32(this.length, n);
    this.made = resizedI32(this.made, n);
    this.poolSlot = resizedI32(this.poolSlot, n);
    this.hashed = resizedI32(this.hashed, n);
    this.room = resizedI32(this.room, n);
    this.lastToken = resizedF64(this.lastToken, n);
    this.firstScheduled = resizedF64(this.firstScheduled, n);
    this.firstToken = resizedF64(this.firstToken, n);
    this.preemptions = resizedI32(this.preemptions, n);
    this.prefixHit = resizedI32(this.prefixHit, n);
    this.matched = resizedI32(this.matched, n);
  }

  clock(): f64 {
    return this.time;
  }

  usedBlocks(): i32 {
    return this.kvBlocks - pool.freeBlocks(pool.GPU);
  }

  runningCount(): i32 {
    return this.runningLength;
  }

  /** A request arrives: its state starts afresh in its slot. */
  private arrive(r: i32): void {
    unchecked(this.computed[r] = 0);
    unchecked(this.length[r] = requests.prompt[r]);
    unchecked(this.made[r] = 0);
    unchecked(this.poolSlot[r] = -1);
    unchecked(this.hashed[r] = 0);
    unchecked(this.firstScheduled[r] = NaN);
    unchecked(this.firstToken[r] = NaN);
    unchecked(this.preemptions[r] = 0);
    unchecked(this.prefixHit[r] = 0);
    unchecked(this.matched[r] = 0);
    unchecked(this.hostHit[r] = 0);
    unchecked(this.diskHit[r] = 0);
    unchecked(this.readyAt[r] = 0);
    resetChain(r);
    this.waiting.pushBack(r);
  }

  /**
   * Leading blocks of request r's first `tokens` tokens whose content is final, so the pool may
   * cache them: the full ones, and under `replay` the prompt's last block too once the whole
   * prompt is there (a trace such as Mooncake's names it by its own hash).
   */
  @inline private cacheable(r: i32, tokens: i32): i32 {
    const full = tokens / this.blockSize;
    if (!this.replay) return full;
    const prompt = unchecked(requests.prompt[r]);
    return tokens < prompt ? full : max(full, (prompt + this.blockSize - 1) / this.blockSize);
  }

  /** Writes the hashes of request r's blocks [from, to) to the pool's input, keeping its chain at `keep`, and their next uses when the run knows them. */
  private hashes(r: i32, from: i32, to: i32, keep: i32): void {
    // Under replay the block holding the prompt's end is hashed over the prompt's tokens only.
    if (this.prefixCaching) hashBlocks(r, from, to, keep, this.blockSize, this.replay ? unchecked(requests.prompt[r]) : 0, pool.hashInput);
    else uniqueHashes(r, from, to, pool.hashInput);
    if (futureKnown()) writeUses(unchecked(requests.id[r]), from, to, pool.nextUseInput);
  }

  private release(r: i32): void {
    const s = unchecked(this.poolSlot[r]);
    if (this.replay) pool.freeRequestHeadFirst(s);
    else pool.freeRequest(s);
    unchecked(this.freePoolSlots[this.freePoolSlotCount++] = s);
    unchecked(this.poolSlot[r] = -1);
    unchecked(this.hashed[r] = 0);
    unchecked(this.room[r] = 0);
  }

  private preempt(r: i32): void {
    // By swap when the host tier has room for the request's blocks, else by recompute.
    if (this.swapping && this.swapOut(r)) return;
    this.release(r);
    unchecked(this.computed[r] = 0);
    unchecked(this.readyAt[r] = 0);
    unchecked(this.preemptions[r] = this.preemptions[r] + 1);
    this.waiting.pushFront(r); // `waiting.prepend_request`
  }

  /**
   * Moves request r's blocks to the host tier over the link down (blocks the host caches already
   * are shared, not copied) and queues it to come back; false when the host lacks room.
   */
  private swapOut(r: i32): bool {
    const copies = pool.swap(unchecked(this.poolSlot[r]), pool.CPU);
    if (copies < 0) return false;
    if (copies > 0) this.toHost!.transfer(this.time, <f64>copies * this.blockBytes);
    unchecked(this.preemptions[r] = this.preemptions[r] + 1);
    this.swapped.pushBack(r);
    return true;
  }

  /**
   * Brings swapped requests back to the GPU, first swapped first, while seats and GPU blocks last
   * (blocks the GPU still caches are shared, the rest come up the link before the request runs).
   */
  private swapIn(): void {
    while (this.swapped.length > 0 && this.runningLength < this.maxNumSeqs) {
      const r = this.swapped.first();
      const copies = pool.swap(unchecked(this.poolSlot[r]), pool.GPU);
      if (copies == PoolRefusal.noRoom) return;
      if (copies < 0) abort("vllm: the block pool refused a swap-in for another reason than room");
      this.swapped.popFront();
      unchecked(this.running[this.runningLength++] = r);
      if (copies > 0) unchecked(this.readyAt[r] = max(unchecked(this.readyAt[r]), this.fromHost!.transfer(this.time, <f64>copies * this.blockBytes)));
    }
  }

  /** Grows running request r's blocks to `tokens`; false when the pool is out of blocks. */
  private grow(r: i32, tokens: i32): bool {
    const cacheable = this.cacheable(r, tokens);
    const hashed = unchecked(this.hashed[r]);
    if (cacheable > hashed) this.hashes(r, hashed, cacheable, cacheable);
    const got = pool.growBlocks(unchecked(this.poolSlot[r]), tokens, cacheable);
    if (got == PoolRefusal.noRoom) return false;
    if (got < 0) abort("vllm: the block pool refused a running request's growth");
    unchecked(this.hashed[r] = max(hashed, cacheable));
    unchecked(this.room[r] = max(unchecked(this.room[r]), (tokens + this.blockSize - 1) / this.blockSize * this.blockSize));
    return true;
  }

  step(): i32 {
    const pending = requests.pending;
    if (this.runningLength == 0 && this.waiting.length == 0 && this.swapped.length == 0) {
      if (pending.length == 0) return requests.inputEnded ? TimedStop.done : TimedStop.needInput;
      this.time = max(this.time, requests.firstPendingArrival());
    }
    if (requests.needsInput(this.time)) return TimedStop.needInput;
    if (!output.hasRoom(this.maxNumSeqs)) return TimedStop.outputFull;
    while (pending.length > 0 && requests.firstPendingArrival() <= this.time) this.arrive(pending.popFront());

    const B = this.blockSize;
    const computed = this.computed;
    const length = this.length;
    let budget = this.maxBatchedTokens;
    batch.clearBatch();
    let preempted = false;
    // 1. Running requests. Preemption pops from the end, so `running` stays the requests that
    // still run, those the budget did not reach included.
    const running = this.running;
    const room = this.room;
    const hashed = this.hashed;
    const prompt = requests.prompt;
    for (let k = 0; k < this.runningLength && budget > 0; k++) {
      const r = unchecked(running[k]);
      // Its prefix is still on the way from the host tier: it waits, its blocks held (vLLM's WAITING_FOR_REMOTE_KVS).
      if (unchecked(this.readyAt[r]) > this.time) continue;
      const c = unchecked(computed[r]);
      const tokens = min(unchecked(length[r]) - c, budget);
      const need = c + tokens;
      // Within its blocks and with no block newly cacheable, the pool would change nothing.
      if (need > unchecked(room[r]) || this.cacheable(r, need) > unchecked(hashed[r])) {
        let fits = this.grow(r, need);
        while (!fits) {
          const victim = unchecked(running[--this.runningLength]);
          this.preempt(victim);
          preempted = true;
          if (victim == r) break;
          fits = this.grow(r, need);
        }
        if (!fits) break;
      }
      batch.addToBatch(r, tokens, c, tokens > 1 || c < unchecked(prompt[r]), need == unchecked(length[r]));
      budget -= tokens;
    }
    // 2. Swapped requests, then waiting ones once none is swapped, only if nothing was preempted.
    if (!preempted) this.swapIn();
    if (!preempted && this.swapped.length == 0) {
      while (this.waiting.length > 0 && budget > 0 && this.runningLength < this.maxNumSeqs && this.freePoolSlotCount > 0) {
        const r = this.waiting.first();
        const total = unchecked(length[r]);
        const cacheable = this.cacheable(r, total);
        let onGpu = 0;
        let loaded = 0;
        let fromDisk = 0;
        let matched = 0;
        if (this.prefixCaching) {
          this.hashes(r, 0, cacheable, 0);
          // vLLM shares at most total − 1 tokens' blocks (the last prompt token is computed for its
          // logits, vLLM caching only full blocks); a replay shares every block it finds.
          const most = this.replay ? cacheable : (total - 1) / B;
          const gpuRun = pool.cachedPrefix(pool.GPU, cacheable);
          onGpu = min(gpuRun, most);
          // The prefix goes on below the GPU, each block in the host tier or else on disk: those blocks are loaded, not computed.
          let belowRun = 0;
          if (this.fromHost) {
            belowRun = pool.cachedRunBelow(onGpu, cacheable);
            loaded = min(belowRun, most - onGpu);
            if (loaded > 0 && this.disk) fromDisk = pool.diskOnlyIn(loaded);
            if (loaded > 0 && this.loadIfFaster && !this.loadIsFaster(total, onGpu, loaded, fromDisk)) {
              loaded = 0;
              fromDisk = 0;
            }
          }
          matched = max(gpuRun, onGpu + belowRun);
        } else {
          this.hashes(r, 0, total / B, 0);
        }
        // The last token is always computed, even when every block was found.
        const hit = min((onGpu + loaded) * B, total - 1);
        const gpuHit = min(onGpu * B, hit);
        const tokens = min(total - hit, budget);
        const s = unchecked(this.freePoolSlots[--this.freePoolSlotCount]);
        // Room first: a request left waiting must not touch (in the host's policy) the blocks it would load.
        let admitted: i32 = PoolRefusal.noRoom;
        if (loaded == 0 || pool.admissionFits(hit + tokens, onGpu)) {
          if (loaded > 0) pool.holdRun(onGpu, onGpu + loaded);
          admitted = pool.admitBlocks(s, hit + tokens, this.cacheable(r, hit + tokens), onGpu);
          if (loaded > 0) pool.releaseHeld();
        }
        if (admitted < 0) {
          if (admitted != PoolRefusal.noRoom) abort("vllm: the block pool refused an admission for another reason than room");
          this.freePoolSlotCount++;
          break;
        }
        this.waiting.popFront();
        // Copies of its blocks it did not take (in the host behind a GPU hit, past a gap in its prefix) are passed all the same.
        if (this.prefixCaching && futureKnown()) pool.renewUses(cacheable);
        unchecked(this.poolSlot[r] = s);
        unchecked(this.hashed[r] = this.cacheable(r, hit + tokens));
        unchecked(this.room[r] = (hit + tokens + B - 1) / B * B);
        unchecked(computed[r] = hit);
        unchecked(this.prefixHit[r] = this.prefixHit[r] + gpuHit);
        if (isNaN(unchecked(this.firstScheduled[r]))) {
          unchecked(this.firstScheduled[r] = this.time);
          unchecked(this.matched[r] = matched);
        }
        unchecked(this.running[this.runningLength++] = r);
        if (loaded > 0) {
          // The last-token cap falls on the last loaded block, wherever it was found.
          const diskTokens = fromDisk == 0 ? 0 : fromDisk * B - (pool.isDiskOnly(loaded - 1) ? (onGpu + loaded) * B - hit : 0);
          unchecked(this.hostHit[r] = this.hostHit[r] + hit - gpuHit - diskTokens);
          const bytes = <f64>loaded * this.blockBytes;
          let ready: f64;
          if (fromDisk == 0) {
            ready = this.fromHost!.transfer(this.time, bytes);
          } else {
            unchecked(this.diskHit[r] = this.diskHit[r] + diskTokens);
            ready = this.loadBelow(loaded, fromDisk, true);
          }
          unchecked(this.readyAt[r] = ready);
          this.loadedBlocks += loaded;
          // Whole loads: the blocks come up the link before the request computes anything.
          if (this.loadLayers == 0) continue;
          // Layer-wise: it computes now, each layer once that layer's share has come up.
          unchecked(this.firstLayerAt[r] = fromDisk == 0 ? ready - bytes / this.hostBytesPerS * <f64>(this.loadLayers - 1) / <f64>this.loadLayers : this.loadFirstLayer);
          this.loadingInBatch = true;
        }
        batch.addToBatch(r, tokens, hit, true, hit + tokens == total);
        budget -= tokens;
      }
    }
    this.carryOffloads();
    this.scheduledTokens = this.maxBatchedTokens - budget;
    if (batch.size == 0) {
      // Nothing runs: requests are loading, or still to arrive; the clock goes to the first of them.
      const loading = this.firstReady();
      if (pending.length == 0 && loading == Infinity) abort("vllm: no request could be scheduled and none is running");
      this.time = max(this.time, min(loading, pending.length > 0 ? requests.firstPendingArrival() : Infinity));
      return -1;
    }
    const start = this.time;
    let duration = this.timeModel.iterationTime();
    if (isNaN(duration)) return TimedStop.outsideModel;
    if (this.loadingInBatch) {
      duration = this.pipelined(start, duration);
      this.loadingInBatch = false;
    }
    const time = start + duration;
    this.time = time;
    const used = this.usedBlocks();
    const slots = batch.slots;
    const tokensOf = batch.tokens;
    const made = this.made;
    const lastToken = this.lastToken;
    const outputs = requests.output;
    let finished = false;
    for (let k = 0, n = batch.size; k < n; k++) {
      const r = unchecked(slots[k]);
      unchecked(computed[r] = computed[r] + unchecked(tokensOf[k]));
      if (!unchecked(batch.samples[k])) continue;
      const m = unchecked(made[r]);
      if (m == 0) unchecked(this.firstToken[r] = time);
      else output.writeGap(time - unchecked(lastToken[r]));
      unchecked(lastToken[r] = time);
      unchecked(made[r] = m + 1);
      unchecked(length[r] = length[r] + 1);
      const out = unchecked(outputs[r]);
      if (m + 1 == out) {
        const arrival = unchecked(requests.arrival[r]);
        const firstToken = unchecked(this.firstToken[r]);
        output.writeRequest(
          unchecked(requests.id[r]), arrival, unchecked(prompt[r]), out, unchecked(this.firstScheduled[r]), firstToken, time,
          firstToken - arrival, out > 1 ? (time - firstToken) / <f64>(out - 1) : NaN, time - arrival,
          unchecked(this.preemptions[r]), unchecked(this.prefixHit[r]), unchecked(this.hostHit[r]), unchecked(this.matched[r]), unchecked(this.diskHit[r]),
        );
        this.release(r);
        finished = true;
      }
    }
    // Keep the requests still running, in order; release the finished ones' slots.
    if (finished) {
      let kept = 0;
      const poolSlot = this.poolSlot;
      for (let k = 0; k < this.runningLength; k++) {
        const r = unchecked(running[k]);
        if (unchecked(poolSlot[r]) >= 0) unchecked(running[kept++] = r);
        else requests.release(r);
      }
      this.runningLength = kept;
    }
    if (this.disk) {
      const disk = this.disk!;
      disk.endRow(time);
      const down = this.toHost!.carriedBy(time);
      const up = this.fromHost!.carriedBy(time);
      output.writeIteration(
        start, duration, batch.size, batch.prefillTokens, batch.decodeTokens, used, pool.cachedBlocks(pool.CPU), down - this.toHostAtRow, up - this.fromHostAtRow,
        pool.cachedBlocks(pool.DISK), disk.rowWritten, disk.rowRead,
      );
      this.toHostAtRow = down;
      this.fromHostAtRow = up;
    } else if (this.fromHost) {
      const down = this.toHost!.carriedBy(time);
      const up = this.fromHost!.carriedBy(time);
      output.writeIteration(
        start, duration, batch.size, batch.prefillTokens, batch.decodeTokens, used, pool.cachedBlocks(pool.CPU), down - this.toHostAtRow, up - this.fromHostAtRow,
      );
      this.toHostAtRow = down;
      this.fromHostAtRow = up;
    } else {
      output.writeIteration(start, duration, batch.size, batch.prefillTokens, batch.decodeTokens, used);
    }
    return -1;
  }

  /**
   * Whether loading `loaded` blocks from below after `onGpu` GPU ones (`fromDisk` of them read
   * from disk first), then computing the rest of a request of `total` tokens, would end sooner
   * than computing all but the GPU's: each prefill estimated alone in one iteration by the time
   * model, the load queued behind the links' transfers and pipelined as the run's loads are
   * (docs/model.md). Unknown estimates load.
   */
  private loadIsFaster(total: i32, onGpu: i32, loaded: i32, fromDisk: i32): bool {
    const B = this.blockSize;
    const withLoad = min((onGpu + loaded) * B, total - 1);
    const afterLoad = this.timeModel.prefillTime(total - withLoad, withLoad);
    const gpuOnly = min(onGpu * B, total - 1);
    const recompute = this.timeModel.prefillTime(total - gpuOnly, gpuOnly);
    if (isNaN(afterLoad) || isNaN(recompute)) return true;
    const bytes = <f64>loaded * this.blockBytes;
    const ready = fromDisk == 0 ? this.fromHost!.arrivalIf(this.time, bytes) - this.time : this.loadBelow(loaded, fromDisk, false) - this.time;
    if (this.loadLayers == 0) return ready + afterLoad < recompute;
    const firstLayer = fromDisk == 0 ? ready - bytes / this.hostBytesPerS * <f64>(this.loadLayers - 1) / <f64>this.loadLayers : this.loadFirstLayer - this.time;
    return max(firstLayer + afterLoad, ready + afterLoad / <f64>this.loadLayers) < recompute;
  }

  /**
   * Queues (`commit`) or estimates a load of `loaded` blocks, `fromDisk` of which are read from
   * disk first (docs/model.md): the host's blocks go up the GPU–host link at once, the disk's once
   * their read has brought them into host memory, the link serving others meanwhile. Returns when
   * the last block has come up; `loadFirstLayer` becomes when every part's first layer has
   * (layer-wise loads).
   */
  private loadBelow(loaded: i32, fromDisk: i32, commit: bool): f64 {
    const host = this.fromHost!;
    const read = this.disk!.read;
    const now = this.time;
    const hostBytes = <f64>(loaded - fromDisk) * this.blockBytes;
    const diskBytes = <f64>fromDisk * this.blockBytes;
    let hostEnd = now;
    if (hostBytes > 0) hostEnd = commit ? host.transfer(now, hostBytes) : host.arrivalIf(now, hostBytes);
    const inHost = commit ? read.transfer(now, diskBytes) : read.arrivalIf(now, diskBytes);
    // An estimate cannot queue the host's part: the disk's is put after it.
    const end = commit ? host.transferFrom(inHost, diskBytes) : host.arrivalIf(max(inHost, hostEnd), diskBytes);
    if (commit) this.disk!.loadedBlocks += fromDisk;
    const L = this.loadLayers;
    if (L > 0) {
      this.loadFirstLayer = end - diskBytes / this.hostBytesPerS * <f64>(L - 1) / <f64>L;
      if (hostBytes > 0) this.loadFirstLayer = max(this.loadFirstLayer, hostEnd - hostBytes / this.hostBytesPerS * <f64>(L - 1) / <f64>L);
    }
    return max(end, hostEnd);
  }

  /**
   * The batch's duration when some of its requests load layer by layer (docs/model.md): each of
   * the L layers computes for duration ÷ L once its share of every load has arrived, so the batch
   * ends no earlier than a load's first layer + the whole compute, nor its last layer + one layer's.
   */
  private pipelined(start: f64, duration: f64): f64 {
    let end = start + duration;
    const layer = duration / <f64>this.loadLayers;
    for (let k = 0, n = batch.size; k < n; k++) {
      const r = unchecked(batch.slots[k]);
      if (unchecked(this.readyAt[r]) > start) end = max(end, max(unchecked(this.firstLayerAt[r]) + duration, unchecked(this.readyAt[r]) + layer));
    }
    return end - start;
  }

  /** When the first running request still loading is ready (Infinity if none is). */
  private firstReady(): f64 {
    let first = Infinity;
    for (let k = 0; k < this.runningLength; k++) {
      const at = unchecked(this.readyAt[unchecked(this.running[k])]);
      if (at > this.time) first = min(first, at);
    }
    return first;
  }

  /** Puts the blocks offloaded since the last call on the links down to the host and to disk (they do not hold up compute). */
  private carryOffloads(): void {
    const link = this.toHost;
    if (!link) return;
    const n = pool.offloadedBlocks - this.offloadsCarried;
    if (n > 0) link.transfer(this.time, <f64>n * this.blockBytes);
    this.offloadsCarried = pool.offloadedBlocks;
    if (this.disk) this.disk!.carry(this.time, this.blockBytes);
  }

  check(): i32 {
    if (this.scheduledTokens > this.maxBatchedTokens) return TimedInvariant.overBudget;
    if (this.runningLength > this.maxNumSeqs) return TimedInvariant.tooManyRunning;
    for (let k = 0; k < this.runningLength; k++) {
      const r = unchecked(this.running[k]);
      if (unchecked(this.computed[r]) > unchecked(this.length[r])) return TimedInvariant.computedPastLength;
    }
    for (let k = 0; k < this.waiting.length; k++) {
      const r = this.waiting.at(k);
      if (unchecked(this.computed[r]) > unchecked(this.length[r])) return TimedInvariant.computedPastLength;
    }
    for (let k = 0; k < this.swapped.length; k++) {
      const r = this.swapped.at(k);
      if (pool.tierOfRequest(unchecked(this.poolSlot[r])) != pool.CPU) return TimedInvariant.swappedOffHost;
    }
    for (let k = 0; k < this.runningLength; k++) {
      if (pool.tierOfRequest(unchecked(this.poolSlot[unchecked(this.running[k])])) != pool.GPU) return TimedInvariant.runningOffGpu;
    }
    if (this.fromHost) {
      // Every block copied, loaded or swapped crossed its link whole: the links' bytes are the pool's counts.
      const up = this.fromHost!;
      const down = this.toHost!;
      if (down.bytes != <f64>(pool.offloadedBlocks + pool.swappedOutBlocks) * this.blockBytes) return TimedInvariant.linkBytes;
      if (up.bytes != <f64>(this.loadedBlocks + pool.swappedInBlocks) * this.blockBytes) return TimedInvariant.linkBytes;
      if (!up.consistent() || !down.consistent()) return TimedInvariant.linkOverlap;
    }
    const disk = this.disk;
    if (disk) {
      if (!disk.bytesAddUp(this.blockBytes) || pool.stagedBlocks > disk.loadedBlocks) return TimedInvariant.linkBytes;
      if (!disk.read.consistent() || !disk.write.consistent()) return TimedInvariant.linkOverlap;
    }
    return pool.checkPool() == 0 ? TimedInvariant.ok : TimedInvariant.pool;
  }
}
