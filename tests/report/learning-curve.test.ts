import { describe, expect, it } from "vitest";
import { learningCurveSvg } from "../../src/report/learning-curve.js";

/** The texts Vega drew in an SVG for one role (axis-title, legend-label…). */
const texts = (svg: string, role: string): string[] =>
  [...svg.matchAll(new RegExp(`<g class="mark-text role-${role}"[^>]*>(.*?)</g>`, "g"))]
    .flatMap((g) => [...g[1]!.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((t) => t[1]!));

describe("learningCurveSvg", () => {
  it("titles both axes and names the episode scores and their moving average in a legend", async () => {
    const points = Array.from({ length: 30 }, (_, i) => ({ episode: i, step: 100 * (i + 1), score: (i % 7) / 7 }));
    const svg = await learningCurveSvg("dqn on kvsim/Serving-easy-v0 (simulated)", points, 5);
    expect(texts(svg, "axis-title")).toEqual(["training step (env steps)", "episode score"]);
    expect(texts(svg, "legend-label")).toEqual(["episode score", "moving average (5 episodes)"]);
    expect(texts(svg, "title-text")).toEqual(["dqn on kvsim/Serving-easy-v0 (simulated)"]);
  });
});
