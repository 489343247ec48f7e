import * as pool from "../blocks/pool";
import { Link } from "./link";

/**
 * The link between vllm's host tier and its disk tier (local disk or a remote store; docs/model.md):
 * reads come up disk → host memory, writes (offloads) go down host → disk, each direction a queue
 * of its own with its own bandwidth and latency (an NVMe drive reads faster than it writes).
 */
export class DiskLinks {
  read: Link;
  write: Link;
  /** Blocks read for loads, and offloads the write link has carried (the pool counts them as they happen). */
  loadedBlocks: i64 = 0;
  offloadsCarried: i64 = 0;
  /** Bytes each direction carried from the end of the previous iteration row to the end of the last. */
  rowWritten: f64 = 0;
  rowRead: f64 = 0;
  private writtenAtRow: f64 = 0;
  private readAtRow: f64 = 0;

  constructor(readBytesPerS: f64, readLatencyS: f64, writeBytesPerS: f64, writeLatencyS: f64) {
    this.read = new Link(readBytesPerS, readLatencyS);
    this.write = new Link(writeBytesPerS, writeLatencyS);
  }

  /** Puts the blocks the pool offloaded to disk since the last call on the write link (they hold up nothing). */
  carry(now: f64, blockBytes: f64): void {
    const n = pool.diskOffloadedBlocks - this.offloadsCarried;
    if (n > 0) this.write.transfer(now, <f64>n * blockBytes);
    this.offloadsCarried = pool.diskOffloadedBlocks;
  }

  /** Ends an iteration row at `time`: `rowWritten` and `rowRead` become the bytes carried since the last. */
  endRow(time: f64): void {
    const written = this.write.carriedBy(time);
    const read = this.read.carriedBy(time);
    this.rowWritten = written - this.writtenAtRow;
    this.rowRead = read - this.readAtRow;
    this.writtenAtRow = written;
    this.readAtRow = read;
  }

  /** Whether each direction carried exactly its blocks' bytes, `blockBytes` each. */
  bytesAddUp(blockBytes: f64): bool {
    return this.write.bytes == <f64>pool.diskOffloadedBlocks * blockBytes && this.read.bytes == <f64>this.loadedBlocks * blockBytes;
  }
}
