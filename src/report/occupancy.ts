import type { SimulationEvent } from "../simulate.js";

/** Bytes resident in one tier after a given number of accesses. */
export interface OccupancyPoint {
  step: number;
  tier: string;
  bytes: number;
}

/**
 * Per-tier resident bytes over a replay, rebuilt from its transfer events (kvsim profile: every
 * byte enters a tier through a promote, prefetch or demote event and leaves through one, so the
 * running sums are exact). Sampled at `samples` evenly spaced steps up to the last event kept;
 * pass `simulate({ eventCapacity })` at least the run's event count for the whole replay.
 */
export function tierOccupancy(events: readonly SimulationEvent[], tiers: readonly string[], accesses: number, samples = 200): OccupancyPoint[] {
  const resident = new Map(tiers.map((t) => [t, 0]));
  const move = (tier: string | null, delta: number) => {
    if (tier !== null) resident.set(tier, (resident.get(tier) ?? 0) + delta);
  };
  const lastStep = events.length ? Math.min(accesses, events[events.length - 1]![0] + 1) : accesses;
  const points: OccupancyPoint[] = [];
  let next = 0;
  for (let k = 1; k <= samples; k++) {
    const step = Math.ceil((k * lastStep) / samples);
    for (; next < events.length && events[next]![0] < step; next++) {
      const [, , , src, dst, , bytes] = events[next]!;
      move(src, -bytes);
      move(dst, bytes);
    }
    if (points.length && points[points.length - 1]!.step === step) continue;
    for (const tier of tiers) points.push({ step, tier, bytes: resident.get(tier)! });
  }
  return points;
}
