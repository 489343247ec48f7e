import { missRatioCurvesWith, type MissRatioCurveOptions, type MissRatioCurves } from "../mrc/curves.js";
import { init } from "./engine.js";
import { runSweep } from "./sweep.js";

/**
 * Miss-ratio curves in the page (docs/mrc.md), the same as Node's `missRatioCurves`: LRU's one pass
 * runs on the calling thread; the other policies' replays on `threads` Web Workers (default: the
 * page's cores, at most 8; 0 runs them on the calling thread).
 */
export async function missRatioCurves(options: MissRatioCurveOptions): Promise<MissRatioCurves> {
  await init();
  return missRatioCurvesWith(options, async (spec, files, threads) => {
    const outcome = await runSweep(spec, { files, workers: threads, charts: false });
    const failure = outcome.failures[0];
    if (failure) throw new Error(`${spec.name}: ${failure.key} failed: ${failure.error}`);
    return outcome.results;
  });
}
