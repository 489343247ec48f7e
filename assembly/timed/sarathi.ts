import { SlotDeque } from "../util/slot-deque";
import * as batch from "./batch";
import { TimeModel } from "./time-model";
import { admitted, batchSizeCap, pOf, prefillCompleteOf, processedOf, VidurReplica } from "./vidur-replica";

/**
 * Vidur's `sarathi` batch formation (the contract's §8): the running decodes first (restarting the
 * latest arrivals when blocks run out), then the running prefills' next chunks, then waiting
 * requests' chunks, all within `chunkSize` tokens per batch.
 */
export class Sarathi extends VidurReplica {
  private skipped: SlotDeque = new SlotDeque(256);
  private prefills: SlotDeque = new SlotDeque(256);

  constructor(timeModel: TimeModel, numBlocks: i32, blockSize: i32, watermarkBlocks: i32, batchSizeCap: i32, private chunkSize: i32) {
    super(timeModel, numBlocks, blockSize, watermarkBlocks, batchSizeCap);
  }

  @inline private chunk(r: i32, used: i32): i32 {
    return unchecked(prefillCompleteOf[r]) ? 1 : max(0, min(unchecked(pOf[r]) - unchecked(processedOf[r]), this.chunkSize - used));
  }

  nextBatch(): bool {
    const R = this.held;
    const skipped = this.skipped;
    const prefills = this.prefills;
    skipped.clear();
    prefills.clear();
    let used = 0;
    while (R.length > 0) {
      if (batch.size == batchSizeCap) break;
      const r = R.popFront();
      if (!unchecked(prefillCompleteOf[r])) {
        prefills.pushBack(r);
        continue;
      }
      if (this.admitRunning(r)) {
        used += 1;
        this.add(r, 1);
      }
    }
    for (let k = 0; k < prefills.length; k++) {
      const r = prefills.at(k);
      const n = this.chunk(r, used);
      if (n == 0) {
        skipped.pushBack(r);
        continue;
      }
      used += n;
      this.add(r, n);
    }
    // R = [...skipped, ...R], sorted by arrival.
    for (let k = skipped.length - 1; k >= 0; k--) this.holdFirst(skipped.at(k));
    this.sortHeld();
    const W = this.waiting;
    while (W.length > 0) {
      if (admitted == batchSizeCap) break;
      if (batch.size == batchSizeCap) break;
      const r = W.first();
      if (!this.canAllocate(r)) break;
      const n = this.chunk(r, used);
      if (n == 0) break;
      W.popFront();
      this.allocate(r);
      used += n;
      this.add(r, n);
    }
    return batch.size > 0;
  }
}
