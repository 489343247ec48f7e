/** What a WaitQueue needs of its members. */
export interface Waiting {
  /** Ticks spent queued; frozen while the member is out of the queue. */
  wait: number;
  /** Clock reading at which the member's wait was 0, valid while queued. */
  waitBase: number;
  /** Put back at the front (a preemption) at least once, so possibly older than members behind it. */
  requeued: boolean;
}

/**
 * One of NeuralPagedAttention's request queues, whose members all wait one tick more every tick.
 * NeuralPagedAttention increments every member's wait and scans the queue for SLA misses and the
 * longest wait on every step; here a member's wait is the queue's clock minus a base fixed when it
 * entered, and members are counted per base, so a tick, an SLA count and the longest wait cost
 * O(1) (O(preempted members at the front) for the longest wait) instead of O(queue). Waits,
 * counts and order are exactly NeuralPagedAttention's.
 */
export class WaitQueue<R extends Waiting> {
  private items: R[] = [];
  private clock = 0;
  private readonly perBase = new Map<number, number>();

  get length(): number {
    return this.items.length;
  }

  /** The member at the front, or undefined. */
  get front(): R | undefined {
    return this.items[0];
  }

  clear(): void {
    this.items = [];
    this.perBase.clear();
  }

  /** One tick: every member waits one more. */
  tick(): void {
    this.clock += 1;
  }

  push(r: R): void {
    this.enter(r);
    this.items.push(r);
  }

  /** Puts a member back at the front with the wait it had when it left. */
  unshift(r: R): void {
    this.enter(r);
    r.requeued = true;
    this.items.unshift(r);
  }

  shift(): R | undefined {
    const r = this.items.shift();
    if (r === undefined) return undefined;
    r.wait = this.clock - r.waitBase;
    const n = this.perBase.get(r.waitBase)!;
    if (n === 1) this.perBase.delete(r.waitBase);
    else this.perBase.set(r.waitBase, n - 1);
    return r;
  }

  /** How many members have waited exactly `ticks`. */
  countWaiting(ticks: number): number {
    return this.perBase.get(this.clock - ticks) ?? 0;
  }

  /**
   * The longest wait, or 0 when empty. Members pushed at the back entered in clock order, so the
   * oldest of them is the first; only requeued members, all in front of it, can be older.
   */
  longestWait(): number {
    let base = Infinity;
    for (const r of this.items) {
      base = Math.min(base, r.waitBase);
      if (!r.requeued) break;
    }
    return base === Infinity ? 0 : this.clock - base;
  }

  private enter(r: R): void {
    r.waitBase = this.clock - r.wait;
    this.perBase.set(r.waitBase, (this.perBase.get(r.waitBase) ?? 0) + 1);
  }
}
