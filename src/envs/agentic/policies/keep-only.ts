import type { AgenticPolicy } from "./policy.js";

/** Calls `keep` every turn: the passive baseline (what the rubric must not reward). */
export const keepOnly = (): AgenticPolicy => ({
  name: "keep-only",
  reset() {},
  playTurn(episode) {
    episode.act("keep");
  },
});
