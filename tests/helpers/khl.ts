import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";

export const fixture = (name: string): string =>
  fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

export const readFixtureJson = <T>(name: string): T => JSON.parse(readFileSync(fixture(name), "utf8")) as T;

/** kv-hierarchy-lab's metrics record (snake_case keys). */
export interface KhlMetrics {
  accesses: number;
  miss_count: number;
  eviction_count: number;
  avg_latency_ms: number;
  overall_hit_rate: number;
  bytes_moved: number;
  demand_bytes_moved: number;
  prefetch_bytes_moved: number;
  prefetch_requests: number;
  useful_prefetches: number;
  wasted_prefetches: number;
  prefetch_usefulness: number;
  tier_hit_rate: Record<string, number>;
  peak_footprint_bytes: Record<string, number>;
}

export function expectClose(actual: number, expected: number, label: string): void {
  const scale = Math.max(Math.abs(expected), 1e-300);
  expect(Math.abs(actual - expected) / scale, `${label}: ${actual} vs ${expected}`).toBeLessThanOrEqual(1e-9);
}

/** Integers exactly, doubles within 1e-9 relative, maps as maps. */
export function expectKhlMetrics(
  actual: import("../../src/simulate.js").Metrics, expected: KhlMetrics, label: string,
): void {
  const ints: [number, number, string][] = [
    [actual.accesses, expected.accesses, "accesses"],
    [actual.misses, expected.miss_count, "miss_count"],
    [actual.evictions, expected.eviction_count, "eviction_count"],
    [actual.bytesMoved, expected.bytes_moved, "bytes_moved"],
    [actual.demandBytesMoved, expected.demand_bytes_moved, "demand_bytes_moved"],
    [actual.prefetchBytesMoved, expected.prefetch_bytes_moved, "prefetch_bytes_moved"],
    [actual.prefetchRequests, expected.prefetch_requests, "prefetch_requests"],
    [actual.usefulPrefetches, expected.useful_prefetches, "useful_prefetches"],
    [actual.wastedPrefetches, expected.wasted_prefetches, "wasted_prefetches"],
  ];
  for (const [a, e, name] of ints) expect(a, `${label} ${name}`).toBe(e);
  expectClose(actual.avgLatencyMs, expected.avg_latency_ms, `${label} avg_latency_ms`);
  expectClose(actual.hitRate, expected.overall_hit_rate, `${label} overall_hit_rate`);
  expectClose(actual.prefetchUsefulness, expected.prefetch_usefulness, `${label} prefetch_usefulness`);
  expect(Object.keys(actual.tierHitRate).sort(), `${label} tier_hit_rate keys`).toEqual(Object.keys(expected.tier_hit_rate).sort());
  for (const [tier, rate] of Object.entries(expected.tier_hit_rate)) {
    expectClose(actual.tierHitRate[tier]!, rate, `${label} tier_hit_rate.${tier}`);
  }
  expect(actual.peakFootprintBytes, `${label} peak_footprint_bytes`).toEqual(expected.peak_footprint_bytes);
}
