import * as batch from "./batch";
import { TimeModel } from "./time-model";
import { VidurReplica } from "./vidur-replica";

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
      const n = unchecked(this.prefillComplete[r]) ? 1 : unchecked(this.p[r]);
      if (!this.canAllocate(r)) break;
      if ((batch.size + 1) * max(longest, n) > this.maxTokensInBatch) break;
      if (this.admitted == this.batchSizeCap) break;
      if (batch.size == this.batchSizeCap) break;
      W.popFront();
      this.allocate(r);
      this.add(r, n);
      longest = max(longest, n);
    }
    if (batch.size > 0) return true;
    const R = this.held;
    this.sortByArrival(R);
    while (R.length > 0) {
      if (batch.size == this.batchSizeCap) break;
      const r = R.popFront();
      if (this.admitRunning(r)) this.add(r, 1);
    }
    return batch.size > 0;
  }
}
