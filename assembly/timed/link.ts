/**
 * One direction of a link between KV tiers (docs/model.md): transfers queue first come, first
 * served, each taking the link's latency plus its bytes over the bandwidth, so concurrent
 * transfers wait for each other and a link's time never overlaps itself.
 */
export class Link {
  /** When the last transfer queued ends. */
  busyUntil: f64 = 0;
  /** Seconds spent transferring, and bytes carried, since setup. */
  busyS: f64 = 0;
  bytes: f64 = 0;

  constructor(private bytesPerS: f64, private latencyS: f64) {}

  /** Queues `bytes` at time `now`; returns when they have arrived. */
  transfer(now: f64, bytes: f64): f64 {
    const start = max(now, this.busyUntil);
    const end = start + this.latencyS + bytes / this.bytesPerS;
    this.busyS += end - start;
    this.bytes += bytes;
    this.busyUntil = end;
    return end;
  }
}
