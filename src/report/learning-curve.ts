import type * as vl from "vega-lite";
import { BASE, toSvg } from "./charts.js";

/** Score of each training episode and its moving average, as an SVG line chart. */
export function learningCurveSvg(title: string, points: readonly { episode: number; step: number; score: number }[], window = 10): Promise<string> {
  const smoothed = points.map((p, i) => {
    const from = Math.max(0, i - window + 1);
    const slice = points.slice(from, i + 1);
    return { ...p, average: slice.reduce((a, q) => a + q.score, 0) / slice.length };
  });
  // Both layers' colours come from one scale, so the legend names the points and the line.
  const series = ["episode score", `moving average (${window} episodes)`];
  const color = (name: string) => ({ datum: name, type: "nominal", scale: { domain: series, range: ["#1f77b4", "#c44"] }, legend: { title: null } });
  const spec = {
    ...BASE,
    title,
    width: 480,
    height: 240,
    data: { values: smoothed },
    layer: [
      { mark: { type: "point", opacity: 0.4, size: 14 },
        encoding: { x: { field: "step", type: "quantitative", title: "training step (env steps)" }, y: { field: "score", type: "quantitative", title: "episode score" }, color: color(series[0]!) } },
      { mark: "line", encoding: { x: { field: "step", type: "quantitative" }, y: { field: "average", type: "quantitative" }, color: color(series[1]!) } },
    ],
  } as vl.TopLevelSpec;
  return toSvg(spec);
}
