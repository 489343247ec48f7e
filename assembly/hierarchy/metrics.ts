import { numTiers, step } from "./state";

/** Run counters. Bytes are kept as f64: exact up to 2^53, far beyond any run's traffic. */
export let accesses: i64 = 0;
export let hits: i64 = 0;
export let misses: i64 = 0;
export let coldMisses: i64 = 0;
export let evictions: i64 = 0;
export let drops: i64 = 0;
export let dropBytes: f64 = 0;
export let totalLatency: f64 = 0;
export let bytesMoved: f64 = 0;
export let demandBytes: f64 = 0;
export let prefetchBytes: f64 = 0;
export let prefetchRequests: i64 = 0;
export let usefulPrefetches: i64 = 0;
export let wastedPrefetches: i64 = 0;

export let tierHits = new StaticArray<i64>(0);
export let tierBytesIn = new StaticArray<f64>(0);
export let tierBytesOut = new StaticArray<f64>(0);
export let tierEvictions = new StaticArray<i64>(0);

// Event log (optional; capacity 0 disables it); its types are `EventKind`s.
export let eventCapacity: i32 = 0;
export let eventCount: i32 = 0;
export let eventStep = new StaticArray<i32>(0);
export let eventType = new StaticArray<i32>(0);
export let eventPage = new StaticArray<i32>(0);
export let eventSrc = new StaticArray<i32>(0);
export let eventDst = new StaticArray<i32>(0);
export let eventLatency = new StaticArray<f64>(0);
export let eventBytes = new StaticArray<f64>(0);

export function initMetrics(eventCap: i32): void {
  accesses = 0; hits = 0; misses = 0; coldMisses = 0; evictions = 0; drops = 0; dropBytes = 0;
  totalLatency = 0; bytesMoved = 0; demandBytes = 0; prefetchBytes = 0;
  prefetchRequests = 0; usefulPrefetches = 0; wastedPrefetches = 0;
  tierHits = new StaticArray<i64>(numTiers);
  tierBytesIn = new StaticArray<f64>(numTiers);
  tierBytesOut = new StaticArray<f64>(numTiers);
  tierEvictions = new StaticArray<i64>(numTiers);
  eventCapacity = eventCap;
  eventCount = 0;
  eventStep = new StaticArray<i32>(eventCap);
  eventType = new StaticArray<i32>(eventCap);
  eventPage = new StaticArray<i32>(eventCap);
  eventSrc = new StaticArray<i32>(eventCap);
  eventDst = new StaticArray<i32>(eventCap);
  eventLatency = new StaticArray<f64>(eventCap);
  eventBytes = new StaticArray<f64>(eventCap);
}

export function countAccess(): void { accesses++; }
export function countHit(tier: i32): void { hits++; unchecked(tierHits[tier] = tierHits[tier] + 1); }
export function countMiss(servedBy: i32): void {
  misses++;
  if (servedBy < 0) coldMisses++;
  else unchecked(tierHits[servedBy] = tierHits[servedBy] + 1);
}
export function addLatency(ms: f64): void { totalLatency += ms; }
export function countEviction(tier: i32): void { evictions++; unchecked(tierEvictions[tier] = tierEvictions[tier] + 1); }
export function countDrop(bytes: f64): void { drops++; dropBytes += bytes; }
export function countPrefetchRequest(): void { prefetchRequests++; }
export function countUsefulPrefetch(): void { usefulPrefetches++; }
export function countWastedPrefetches(n: i64): void { wastedPrefetches += n; }

/** A move between tiers; src < 0 for a cold fetch (from storage or recomputation). */
export function countTransfer(src: i32, dst: i32, bytes: f64, prefetch: bool): void {
  bytesMoved += bytes;
  if (prefetch) prefetchBytes += bytes;
  else demandBytes += bytes;
  if (src >= 0) unchecked(tierBytesOut[src] = tierBytesOut[src] + bytes);
  unchecked(tierBytesIn[dst] = tierBytesIn[dst] + bytes);
}

export function recordEvent(type: i32, page: i32, src: i32, dst: i32, latency: f64, bytes: f64): void {
  const i = eventCount++;
  if (i >= eventCapacity) return;
  unchecked(eventStep[i] = step);
  unchecked(eventType[i] = type);
  unchecked(eventPage[i] = page);
  unchecked(eventSrc[i] = src);
  unchecked(eventDst[i] = dst);
  unchecked(eventLatency[i] = latency);
  unchecked(eventBytes[i] = bytes);
}
