import type * as vl from "vega-lite";
import { BASE, toSvg } from "./charts.js";

/** Score of each training episode and its moving average, as an SVG line chart. */
export function learningCurveSvg(title: string, points: readonly { episode: number; step: number; score: number }[], window = 10): Promise<string> {
  const smoothed = points.map((p, i) => {
    const from = Math.max(0, i - window + 1);
    const slice = points.slice(from, i + 1);
    return { ...p, average: slice.reduce((a, q) => a + q.score, 0) / slice.length };
  });
  const spec = {
    ...BASE,
    title,
    width: 480,
    height: 240,
    data: { values: smoothed },
    layer: [
      { mark: { type: "point", opacity: 0.4, size: 14 }, encoding: { x: { field: "step", type: "quantitative", title: "training step" }, y: { field: "score", type: "quantitative", title: "episode score" } } },
      { mark: { type: "line", color: "#c44" }, encoding: { x: { field: "step", type: "quantitative" }, y: { field: "average", type: "quantitative" } } },
    ],
  } as vl.TopLevelSpec;
  return toSvg(spec);
}
