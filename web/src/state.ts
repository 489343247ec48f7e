import type { BrowserSweepOutcome, MissRatioCurves, ServingSummary, SweepSpecInput } from "./kvsim.js";
import type { EpisodeRecord } from "./episode-view.js";

/** The timed serving view's last run: its summary, where its requests came from, and its wall time (ms, measured). */
export interface TimedRecord {
  summary: ServingSummary;
  source: string;
  wallMs: number;
}

/**
 * The playground's last results, also on `window.kvsimPlayground` so that scripts (and the
 * browser tests) can read exactly what the page computed.
 */
export const playground: {
  lastSweep?: BrowserSweepOutcome; lastSpec?: SweepSpecInput; lastEpisode?: EpisodeRecord; lastTimed?: TimedRecord; lastMrc?: MissRatioCurves;
} = {};
(globalThis as { kvsimPlayground?: typeof playground }).kvsimPlayground = playground;
