import { TOOL_NAMES } from "../constants.js";
import { visibleEntries } from "../observation.js";
import { Draws } from "../random-stream.js";
import type { AgenticPolicy } from "./policy.js";

const STREAM_POLICY = 31;

/** One to three calls a turn, each a uniform tool on a uniform id of the turn's visible ids, from its own seeded stream. */
export function randomPolicy(): AgenticPolicy {
  let draws = new Draws(0, STREAM_POLICY);
  return {
    name: "random",
    reset(seed) {
      draws = new Draws(seed, STREAM_POLICY);
    },
    playTurn(episode) {
      // Like a model, it picks every call of a turn from the turn's observation.
      const visible = visibleEntries(episode.sim);
      const calls = draws.int(1, 3);
      for (let i = 0; i < calls; i++) {
        const tool = TOOL_NAMES[draws.int(0, TOOL_NAMES.length - 1)]!;
        const target = visible.length > 0 ? visible[draws.int(0, visible.length - 1)]!.seqId : "s0";
        episode.act(tool, tool === "keep" ? "" : target);
      }
    },
  };
}
