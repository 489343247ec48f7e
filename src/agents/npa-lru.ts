import type { Agent } from "./agent.js";

/**
 * NeuralPagedAttention's shipped LRU heuristic (agents/LRUAgent/lru.py), a decision tree on
 * GPU/CPU pressure, trend, queues and idle caches. The original reads its idle-age signals from
 * observation indices 14 and 17 (the README's 20-value layout; in the real vector they are
 * vip_size_std_dev and free_age_std_dev); kvsim reads 15 and 18 (free_age_max, vip_age_max)
 * unless `indexBug` is set. Its "pre-step" batch admissions, which call the environment outside
 * step() and so cost no action and earn no reward, are not reproduced: every decision here is a
 * step.
 */
export class NpaLruAgent implements Agent {
  readonly name: string;
  private preempts = 0;

  constructor(private readonly indexBug = false) {
    this.name = indexBug ? "npa-lru-compat" : "npa-lru";
  }

  reset(): void {
    this.preempts = 0;
  }

  act(obs: readonly number[]): number {
    const a = this.decide(obs);
    this.preempts = a === 14 ? this.preempts + 1 : 0;
    return a;
  }

  private decide(o: readonly number[]): number {
    const [u, cpu, trend, , vipQ, totalQ, , vipWait, yieldActive] = o as [number, number, number, number, number, number, number, number, number];
    const freeAge = this.indexBug ? o[14]! : o[15]!;
    const vipAge = this.indexBug ? o[17]! : o[18]!;
    const idleFree = freeAge > 0;
    const idleVip = vipAge > 0;
    const canYield = yieldActive > 0.001;
    const queued = totalQ > 0;
    const canAdmit = u < 0.74 && trend < 0.05 && !(totalQ >= 60 && u > 0.65);
    const admit = vipQ > 0 ? 9 : 8;
    const swapIdle = (cpuLimit: number): number | undefined => (cpu < cpuLimit ? (idleFree ? 6 : idleVip ? 7 : undefined) : undefined);

    if (this.preempts >= 3 && u < 0.88 && queued) {
      if (canAdmit) return admit;
      return swapIdle(0.8) ?? (canYield ? 14 : 16);
    }
    if (u > 0.95) return canYield ? 14 : swapIdle(0.85) ?? (idleFree ? 2 : idleVip ? 3 : 16);
    if (trend > 0.15 && u > 0.82) return idleFree && cpu < 0.85 ? 6 : 14;
    if (trend > 0.1 && u > 0.78) {
      const s = swapIdle(0.8);
      if (s !== undefined) return s;
    }
    if (u > 0.9) {
      const s = swapIdle(0.8);
      if (s !== undefined) return s;
      if (idleVip && vipAge >= freeAge) return 3;
      if (idleFree) return 2;
      return canYield ? 14 : 16;
    }
    if (u > 0.85) return swapIdle(0.8) ?? (cpu >= 0.8 ? 16 : canYield ? 14 : 16);
    if (u > 0.7) {
      if (cpu > 0.6) return 16;
      if (freeAge > 0 && cpu < 0.75) return 6;
      if (vipWait > 0.5 && vipQ > 0) return 9;
      if (u >= 0.82 && queued) return idleFree ? 6 : canYield ? 14 : 16;
      if (canAdmit && queued) return admit;
      if (queued && canYield && u > 0.76) return 14;
      return 17;
    }
    if (cpu > 0.5) return 16;
    if (canAdmit && queued) return admit;
    if (queued && canYield && u > 0.72) return 14;
    return 17;
  }
}
