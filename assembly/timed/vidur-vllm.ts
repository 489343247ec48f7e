import * as batch from "./batch";
import { TimeModel } from "./time-model";
import { admitted, batchSizeCap, pOf, prefillCompleteOf, VidurReplica } from "./vidur-replica";

/**
 * Vidur's `vidur-vllm` batch formation (the contract's §7): waiting requests FCFS while they fit
 * the blocks (above the watermark), a padded token budget (batch size × longest prompt) and the
 * size cap; only when none was taken, the running requests' decodes in arrival order, restarting
 * the latest arrivals when blocks run out.
 */
export class VidurVllm extends VidurReplica {
  constructor(timeModel: TimeModel, numBlocks: i32, blockSize: i32, watermarkBlocks: i32, batchSizeCap: i32, private maxTokensInBatch: i32) {
    super(timeModel, numBlocks, blockSize, watermarkBlocks, batchSizeCap);
  }

  nextBatch(): bool {
    const W = this.waiting;
    let longest = 0;
    while (W.length > 0) {
      const r = W.first();
      const n = unchecked(prefillCompleteOf[r]) ? 1 : unchecked(pOf[r]);
      if (!this.canAllocate(r)) break;
      if ((batch.size + 1) * max(longest, n) > this.maxTokensInBatch) break;
      if (admitted == batchSizeCap) break;
      if (batch.size == batchSizeCap) break;
      W.popFront();
      this.allocate(r);
      this.add(r, n);
      longest = max(longest, n);
    }
    if (batch.size > 0) return true;
    const R = this.held;
    this.sortHeld();
    while (R.length > 0) {
      if (batch.size == batchSizeCap) break;
      const r = R.popFront();
      if (this.admitRunning(r)) this.add(r, 1);
    }
    return batch.size > 0;
  }
}
