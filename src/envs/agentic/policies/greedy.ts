import type { Entry } from "../simulator.js";
import type { AgenticPolicy } from "./policy.js";

/** Projected normalized usage the greedy policy steers below (the headroom bonus's best band). */
const TARGET = 0.8;
const MAX_CALLS = 10;

/** Evicting these costs the risky-eviction penalty (same rules as the rubric). */
function risky(e: Entry, progress: number): boolean {
  return e.blockType === "system" || (e.blockType === "context" && e.priority >= 0.5) ||
    (e.blockType === "generation" && e.priority >= 0.7 && progress >= 0.7);
}

/**
 * The greedy heuristic: while the next step's projected usage (growth and every pending request
 * admitted) exceeds 80% of the budget, compress the resident sequence whose compression frees most
 * (compression costs nothing in this rubric), then evict by eviction value (ephemeral first),
 * largest first, never a system block and risky ones last. Never swaps (latency), else keeps.
 */
export const greedyPolicy = (): AgenticPolicy => ({
  name: "greedy",
  reset() {},
  playTurn(episode) {
    const sim = episode.sim;
    const limit = TARGET * sim.memoryBudget;
    let calls = 0;
    while (calls < MAX_CALLS && sim.projectedUsage() > limit) {
      const resident = sim.entries.filter((e) => !e.isSwapped);
      const compressible = resident.filter((e) => e.quant < 2 && e.tokensCached - sim.prefixTokens(e) > 128 << e.quant);
      if (compressible.length > 0) {
        const best = compressible.reduce((a, b) => (sim.memoryCost(b) > sim.memoryCost(a) ? b : a));
        episode.act("compress", best.seqId);
        calls++;
        continue;
      }
      const evictable = resident.filter((e) => e.blockType !== "system");
      if (evictable.length === 0) break;
      const rank = (e: Entry) => (risky(e, sim.progress(e)) ? 0 : 10) + sim.evictionValue(e);
      const victim = evictable.reduce((a, b) => {
        const d = rank(b) - rank(a);
        return d > 0 || (d === 0 && sim.memoryCost(b) > sim.memoryCost(a)) ? b : a;
      });
      episode.act("evict", victim.seqId);
      calls++;
    }
    if (calls === 0) episode.act("keep");
  },
});
