import type * as vl from "vega-lite";
import { shownRate, type MissRatioCurves } from "../mrc/curves.js";
import { POLICIES } from "../policies/registry.js";
import { BASE, toSvg } from "./charts.js";
import { registryScales } from "./palette.js";

/** Sizes spanning this factor or more are drawn on a log axis, where small caches stay apart. */
const LOG_SPAN = 100;

/** A line per policy: miss ratio against cache size, coloured as the policy is in every chart. */
export function mrcChartSpec(mrc: MissRatioCurves, traceName: string): vl.TopLevelSpec {
  const policies = mrc.curves.map((c) => c.policy);
  const scales = registryScales(POLICIES.map((p) => p.name), policies.map((p) => ({ label: p, name: p })));
  const sizes = mrc.curves.flatMap((c) => c.points.map((p) => p.size));
  const log = Math.max(...sizes) >= LOG_SPAN * Math.min(...sizes);
  const sampled = mrc.curves.some((c) => c.method === "shards") ? `; lru SHARDS-sampled at R = ${shownRate(mrc.sampleRate!)}` : "";
  return {
    ...BASE,
    title: { text: `Miss-ratio curves of ${traceName} (simulated)`, subtitle: `${mrc.requests} requests, ${mrc.objects} objects${sampled}` },
    width: 480,
    height: 280,
    data: { values: mrc.curves.flatMap((c) => c.points.map((p) => ({ policy: c.policy, size: p.size, missRatio: p.missRatio }))) },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "size", type: "quantitative", title: `cache size (${mrc.unit})`, scale: log ? { type: "log", nice: false } : {}, axis: { format: "~s" } },
      y: { field: "missRatio", type: "quantitative", title: "miss ratio", axis: { format: ".0%" } },
      color: { field: "policy", type: "nominal", sort: policies, scale: scales.color, legend: { title: "policy" } },
      shape: { field: "policy", type: "nominal", sort: policies, scale: scales.shape, legend: { title: "policy" } },
    },
  } as vl.TopLevelSpec;
}

export const mrcSvg = (mrc: MissRatioCurves, traceName: string): Promise<string> => toSvg(mrcChartSpec(mrc, traceName));
