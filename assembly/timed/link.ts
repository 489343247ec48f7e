/**
 * One direction of a link between KV tiers (docs/model.md): transfers queue first come, first
 * served, each taking the link's latency plus its bytes over the bandwidth, so concurrent
 * transfers wait for each other and a link's time never overlaps itself. A transfer whose data
 * is not there yet (`transferFrom`: a disk block's hop up to the GPU waits for its read) leaves
 * the link idle until then, and a transfer queued meanwhile takes that time if it fits before
 * (backfilling): no transfer moves once queued.
 */
export class Link {
  /** When the last transfer queued ends. */
  busyUntil: f64 = 0;
  /** Seconds spent transferring, and bytes queued, since setup. */
  busyS: f64 = 0;
  bytes: f64 = 0;
  // Transfers not yet over at the last `carriedBy`, oldest first: when their bytes start to
  // flow (after the latency), when they end, and how many. First come, first served, so only the
  // oldest can be under way.
  private flowStart: StaticArray<f64> = new StaticArray<f64>(16);
  private flowEnd: StaticArray<f64> = new StaticArray<f64>(16);
  private flowBytes: StaticArray<f64> = new StaticArray<f64>(16);
  private head: i32 = 0;
  private tail: i32 = 0;
  /** Bytes of the transfers over by the last `carriedBy`. */
  private finished: f64 = 0;
  /** Whether a transfer was queued ahead of the others' time (only then can idle time lie between queued transfers). */
  private gaps: bool = false;
  /** Where `place` put a transfer: its start, and its index in the flows (`tail`: after the last). */
  private placedStart: f64 = 0;
  private placedAt: i32 = 0;

  constructor(readonly bytesPerS: f64, readonly latencyS: f64) {}

  /** When `bytes` queued at time `now` would have arrived (nothing is queued). */
  arrivalIf(now: f64, bytes: f64): f64 {
    this.place(now, bytes);
    return this.placedStart + this.latencyS + bytes / this.bytesPerS;
  }

  /** Queues `bytes` at time `now`; returns when they have arrived. */
  transfer(now: f64, bytes: f64): f64 {
    this.place(now, bytes);
    const start = this.placedStart;
    const end = start + this.latencyS + bytes / this.bytesPerS;
    this.busyS += end - start;
    this.bytes += bytes;
    this.busyUntil = max(this.busyUntil, end);
    this.insert(this.placedAt, start + this.latencyS, end, bytes);
    return end;
  }

  /** Queues `bytes` that are ready at `ready`, later than the link's clock: the link may serve others before. */
  transferFrom(ready: f64, bytes: f64): f64 {
    this.gaps = true;
    return this.transfer(ready, bytes);
  }

  /**
   * The earliest start from `now` for `bytes`: an idle stretch between queued transfers that
   * holds them whole, else after the last one.
   */
  private place(now: f64, bytes: f64): void {
    this.placedStart = max(now, this.busyUntil);
    this.placedAt = this.tail;
    if (!this.gaps) return;
    let free = now;
    for (let k = this.head; k < this.tail; k++) {
      // Compared as `consistent` does: a flow's start is kept after its latency, and rounding is monotone.
      if (free + this.latencyS + bytes / this.bytesPerS + this.latencyS <= unchecked(this.flowStart[k])) {
        this.placedStart = free;
        this.placedAt = k;
        return;
      }
      free = max(free, unchecked(this.flowEnd[k]));
    }
  }

  /** Whether the queued transfers are in order and apart, and the link was busy no longer than its clock. */
  consistent(): bool {
    for (let k = this.head + 1; k < this.tail; k++) {
      if (unchecked(this.flowStart[k]) < unchecked(this.flowEnd[k - 1]) + this.latencyS) return false;
    }
    return this.busyS <= this.busyUntil * (1 + 1e-12);
  }

  /** Bytes the link has carried by time `t` (never earlier than the last call's). */
  carriedBy(t: f64): f64 {
    while (this.head < this.tail && unchecked(this.flowEnd[this.head]) <= t) {
      this.finished += unchecked(this.flowBytes[this.head]);
      this.head++;
    }
    if (this.head == this.tail) return this.finished;
    const s = unchecked(this.flowStart[this.head]);
    const e = unchecked(this.flowEnd[this.head]);
    return this.finished + unchecked(this.flowBytes[this.head]) * min(1, max(0, (t - s) / (e - s)));
  }

  /** Puts a transfer at index `at` of the flows (`tail`: after the last), those after it moving up one. */
  private insert(at: i32, start: f64, end: f64, bytes: f64): void {
    if (this.tail == this.flowEnd.length) {
      const live = this.tail - this.head;
      // Room by moving the live transfers down, or, when most of the buffer is live, by doubling it.
      const size = live * 2 > this.flowEnd.length ? this.flowEnd.length * 2 : this.flowEnd.length;
      this.flowStart = moved(this.flowStart, this.head, live, size);
      this.flowEnd = moved(this.flowEnd, this.head, live, size);
      this.flowBytes = moved(this.flowBytes, this.head, live, size);
      at -= this.head;
      this.head = 0;
      this.tail = live;
    }
    for (let k = this.tail; k > at; k--) {
      unchecked(this.flowStart[k] = this.flowStart[k - 1]);
      unchecked(this.flowEnd[k] = this.flowEnd[k - 1]);
      unchecked(this.flowBytes[k] = this.flowBytes[k - 1]);
    }
    unchecked(this.flowStart[at] = start);
    unchecked(this.flowEnd[at] = end);
    unchecked(this.flowBytes[at] = bytes);
    this.tail++;
  }
}

/** `count` values of `a` from `from`, at the start of an array of `size`. */
function moved(a: StaticArray<f64>, from: i32, count: i32, size: i32): StaticArray<f64> {
  const out = new StaticArray<f64>(size);
  for (let k = 0; k < count; k++) unchecked(out[k] = a[from + k]);
  return out;
}
