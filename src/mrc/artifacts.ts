import { csvTable } from "../report/csv.js";
import { mrcSvg } from "../report/mrc-chart.js";
import type { MissRatioCurves } from "./curves.js";

/** `mrc.csv` (policy, size, misses, miss_ratio: a row per point) and `mrc.svg`, by file name. */
export async function mrcArtifacts(mrc: MissRatioCurves, traceName: string): Promise<Record<string, string>> {
  const rows = mrc.curves.flatMap((c) => c.points.map((p) => [c.policy, p.size, p.misses, p.missRatio]));
  return { "mrc.csv": csvTable(["policy", "size", "misses", "miss_ratio"], rows), "mrc.svg": await mrcSvg(mrc, traceName) };
}
