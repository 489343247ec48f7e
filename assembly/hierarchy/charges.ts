import { numTiers, sizeOf, decodePenalty, tierRead, tierWrite, tierBandwidth } from "./state";
import { countHit, addLatency, countDrop, countTransfer, recordEvent } from "./metrics";
import { EventKind } from "../abi/hierarchy";

/**
 * What each kind of move costs and counts, for every replay loop (engine.ts, queue-replay.ts), so
 * that each charges exactly the same figures in the same order (doubles are summed in order).
 */

/**
 * Serial cost of moving a page from `src` to `dst`: (read(src) + write(dst)) + size / min(bw) +
 * decode penalty, evaluated in kv-hierarchy-lab's association order so doubles match bit for bit.
 */
@inline export function transferCost(src: i32, dst: i32, page: i32): f64 {
  const bw = min(unchecked(tierBandwidth[src]), unchecked(tierBandwidth[dst]));
  const xfer = <f64>sizeOf(page) / max(bw, 1.0);
  return ((unchecked(tierRead[src]) + unchecked(tierWrite[dst])) + xfer) + decodePenalty;
}

/** A tier-0 hit's latency and counts. */
@inline export function chargeHit(): void {
  countHit(0);
  addLatency(unchecked(tierRead[0]) + decodePenalty);
}

/** A page brought into tier 0 from `src` (-1: cold, charged as a read from the last tier). */
@inline export function chargePromotion(page: i32, src: i32, prefetch: bool): void {
  const costSrc = src >= 0 ? src : numTiers - 1;
  const latency = transferCost(costSrc, 0, page);
  addLatency(latency);
  countTransfer(src, 0, <f64>sizeOf(page), prefetch);
  recordEvent(prefetch ? EventKind.prefetch : EventKind.promote, page, src, 0, latency, <f64>sizeOf(page));
}

/** A victim of `tier` moved one tier down: demand traffic, even under prefetch (Q5). */
@inline export function chargeDemotion(tier: i32, victim: i32): void {
  const bytes = <f64>sizeOf(victim);
  const latency = transferCost(tier, tier + 1, victim);
  addLatency(latency);
  countTransfer(tier, tier + 1, bytes, false);
  recordEvent(EventKind.demote, victim, tier, tier + 1, latency, bytes);
}

/** A victim dropped from the last tier. */
@inline export function chargeDrop(tier: i32, victim: i32): void {
  const bytes = <f64>sizeOf(victim);
  countDrop(bytes);
  recordEvent(EventKind.evict, victim, tier, -1, 0.0, bytes);
}
