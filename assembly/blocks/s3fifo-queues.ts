import { ListPool } from "../util/list-pool";
import { LinkPair } from "../util/node-layout";
import { IntMap } from "../util/int-map";

const NONE: i32 = -1;
const SMALL: i32 = 0;
const MAIN: i32 = 1;
const MAX_FREQ: i32 = 3;

/**
 * S3-FIFO (Yang et al., SOSP 2023) over a pool's cached blocks, per tier: a small FIFO that new
 * content enters, a main FIFO for content hit again, and a ghost FIFO of hashes recently evicted
 * from the small queue (content that comes back goes straight to main). A block in use by a
 * request cannot be evicted, so the scan moves it to the back of its queue; the victim is always
 * a free cached block. Lists are intrusive over block ids, like the pool's free queues.
 */
export class S3FifoQueues {
  lists: ListPool<LinkPair>;  // list tier * 2 + SMALL | MAIN
  queueOf: StaticArray<i32>;  // NONE, SMALL or MAIN per block
  freq: StaticArray<i32>;
  size: StaticArray<i32>;     // per list
  ghostRing: StaticArray<i64>; // per tier, ring of capacity tierSize[t] at tierStart[t]
  ghostHead: StaticArray<i32>;
  ghostLength: StaticArray<i32>;
  ghosts: StaticArray<IntMap>;
  tierStart: StaticArray<i32>;
  tierSize: StaticArray<i32>;
  refCount: StaticArray<i32>;

  constructor(total: i32, tierStart: StaticArray<i32>, tierSize: StaticArray<i32>, refCount: StaticArray<i32>) {
    this.tierStart = tierStart;
    this.tierSize = tierSize;
    this.refCount = refCount;
    this.lists = new ListPool<LinkPair>(4, total);
    this.queueOf = new StaticArray<i32>(total);
    this.freq = new StaticArray<i32>(total);
    this.size = new StaticArray<i32>(4);
    this.ghostRing = new StaticArray<i64>(max(1, total));
    this.ghostHead = new StaticArray<i32>(2);
    this.ghostLength = new StaticArray<i32>(2);
    this.ghosts = new StaticArray<IntMap>(2);
    for (let t = 0; t < 2; t++) unchecked(this.ghosts[t] = new IntMap(max(1, unchecked(tierSize[t]))));
    this.clear();
  }

  clear(): void {
    this.lists.clear();
    for (let b = 0; b < this.queueOf.length; b++) unchecked(this.queueOf[b] = NONE);
    for (let l = 0; l < 4; l++) unchecked(this.size[l] = 0);
    for (let t = 0; t < 2; t++) {
      unchecked(this.ghostHead[t] = 0);
      unchecked(this.ghostLength[t] = 0);
      unchecked(this.ghosts[t]).clear();
    }
  }

  private put(t: i32, queue: i32, b: i32): void {
    const l = t * 2 + queue;
    this.lists.append(l, b);
    unchecked(this.queueOf[b] = queue);
    unchecked(this.size[l] = this.size[l] + 1);
  }

  private take(t: i32, b: i32): void {
    const l = t * 2 + unchecked(this.queueOf[b]);
    this.lists.remove(l, b);
    unchecked(this.queueOf[b] = NONE);
    unchecked(this.size[l] = this.size[l] - 1);
  }

  /** A block of tier t became cached under `hash`. */
  onCache(t: i32, b: i32, hash: i64): void {
    const ghosts = unchecked(this.ghosts[t]);
    const remembered = ghosts.get(hash) >= 0;
    if (remembered) ghosts.delete(hash);
    unchecked(this.freq[b] = 0);
    this.put(t, remembered ? MAIN : SMALL, b);
  }

  onHit(b: i32): void {
    if (unchecked(this.queueOf[b]) != NONE) unchecked(this.freq[b] = min(MAX_FREQ, this.freq[b] + 1));
  }

  /** The block's content is gone (evicted or overwritten). */
  onUncache(t: i32, b: i32): void {
    if (unchecked(this.queueOf[b]) != NONE) this.take(t, b);
  }

  private remember(t: i32, hash: i64): void {
    const capacity = unchecked(this.tierSize[t]);
    const ghosts = unchecked(this.ghosts[t]);
    const base = unchecked(this.tierStart[t]);
    if (unchecked(this.ghostLength[t]) == capacity) {
      // The ring may hold stale entries (hashes that came back); forget a hash only at its latest entry.
      const oldestAt = unchecked(this.ghostHead[t]);
      const oldest = unchecked(this.ghostRing[base + oldestAt]);
      if (ghosts.get(oldest) == oldestAt) ghosts.delete(oldest);
      unchecked(this.ghostHead[t] = (this.ghostHead[t] + 1) % capacity);
      unchecked(this.ghostLength[t] = this.ghostLength[t] - 1);
    }
    const at = (unchecked(this.ghostHead[t]) + unchecked(this.ghostLength[t])) % capacity;
    unchecked(this.ghostRing[base + at] = hash);
    unchecked(this.ghostLength[t] = this.ghostLength[t] + 1);
    ghosts.set(hash, at);
  }

  /**
   * The free cached block of tier t to evict, or -1 if there is none. Evicting from the small
   * queue when it holds more than a tenth of the cached blocks (or main has nothing evictable):
   * a block hit since it entered moves to main, otherwise it goes (its hash to the ghost). From
   * main: a hit block loses one hit and goes round again, otherwise it goes.
   */
  victim(t: i32, hashOf: StaticArray<i64>): i32 {
    const small = t * 2 + SMALL;
    const main = t * 2 + MAIN;
    // In-use blocks go round; a queue whose every block went round in a row is skipped.
    let busySmall = 0;
    let busyMain = 0;
    // Every pass over a block lowers its count or moves it on, so 5 rounds always find a free one.
    const bound = 5 * (unchecked(this.size[small]) + unchecked(this.size[main])) + 5;
    for (let i = 0; i < bound; i++) {
      const smallSize = unchecked(this.size[small]);
      const mainSize = unchecked(this.size[main]);
      const smallOpen = busySmall < smallSize;
      const mainOpen = busyMain < mainSize;
      if (!smallOpen && !mainOpen) return -1;
      const fromSmall = smallOpen && (!mainOpen || smallSize > (smallSize + mainSize) / 10);
      const b = this.lists.first(fromSmall ? small : main);
      if (unchecked(this.refCount[b]) > 0) {
        this.take(t, b);
        this.put(t, fromSmall ? SMALL : MAIN, b);
        if (fromSmall) busySmall++;
        else busyMain++;
        continue;
      }
      const f = unchecked(this.freq[b]);
      if (fromSmall) {
        busySmall = 0;
        if (f > 0) {
          this.take(t, b);
          unchecked(this.freq[b] = 0);
          this.put(t, MAIN, b);
          continue;
        }
        this.remember(t, unchecked(hashOf[b]));
        return b;
      }
      busyMain = 0;
      if (f > 0) {
        unchecked(this.freq[b] = f - 1);
        this.take(t, b);
        this.put(t, MAIN, b);
        continue;
      }
      return b;
    }
    return -1;
  }
}
