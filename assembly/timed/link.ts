/**
 * One direction of a link between KV tiers (docs/model.md): transfers queue first come, first
 * served, each taking the link's latency plus its bytes over the bandwidth, so concurrent
 * transfers wait for each other and a link's time never overlaps itself.
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

  constructor(private bytesPerS: f64, private latencyS: f64) {}

  /** When `bytes` queued at time `now` would have arrived (nothing is queued). */
  arrivalIf(now: f64, bytes: f64): f64 {
    return max(now, this.busyUntil) + this.latencyS + bytes / this.bytesPerS;
  }

  /** Queues `bytes` at time `now`; returns when they have arrived. */
  transfer(now: f64, bytes: f64): f64 {
    const start = max(now, this.busyUntil);
    const end = start + this.latencyS + bytes / this.bytesPerS;
    this.busyS += end - start;
    this.bytes += bytes;
    this.busyUntil = end;
    this.push(start + this.latencyS, end, bytes);
    return end;
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

  private push(start: f64, end: f64, bytes: f64): void {
    if (this.tail == this.flowEnd.length) {
      const live = this.tail - this.head;
      // Room by moving the live transfers down, or, when most of the buffer is live, by doubling it.
      const size = live * 2 > this.flowEnd.length ? this.flowEnd.length * 2 : this.flowEnd.length;
      this.flowStart = moved(this.flowStart, this.head, live, size);
      this.flowEnd = moved(this.flowEnd, this.head, live, size);
      this.flowBytes = moved(this.flowBytes, this.head, live, size);
      this.head = 0;
      this.tail = live;
    }
    unchecked(this.flowStart[this.tail] = start);
    unchecked(this.flowEnd[this.tail] = end);
    unchecked(this.flowBytes[this.tail] = bytes);
    this.tail++;
  }
}

/** `count` values of `a` from `from`, at the start of an array of `size`. */
function moved(a: StaticArray<f64>, from: i32, count: i32, size: i32): StaticArray<f64> {
  const out = new StaticArray<f64>(size);
  for (let k = 0; k < count; k++) unchecked(out[k] = a[from + k]);
  return out;
}
