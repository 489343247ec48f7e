import type { BrowserSweepOutcome, SweepSpecInput } from "./kvsim.js";
import type { EpisodeRecord } from "./episode-view.js";

/**
 * The playground's last results, also on `window.kvsimPlayground` so that scripts (and the
 * browser tests) can read exactly what the page computed.
 */
export const playground: { lastSweep?: BrowserSweepOutcome; lastSpec?: SweepSpecInput; lastEpisode?: EpisodeRecord } = {};
(globalThis as { kvsimPlayground?: typeof playground }).kvsimPlayground = playground;
