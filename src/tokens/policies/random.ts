import { STREAM, streamSeed, Xoshiro128 } from "../rng.js";
import type { TokenPolicy } from "./policy.js";

/** Uniform random scores (kvpress random_press.py), seeded per (trace seed, layer, head). */
export const randomPolicy: TokenPolicy = {
  name: "random", attention: false, source: "kvpress RandomPress",
  summary: "uniform random scores (expected retained mass b/T)",
  score({ view, seed, layer, head }) {
    const rng = new Xoshiro128(streamSeed(seed, STREAM.policyRandom, layer, head));
    return Float64Array.from({ length: view.context }, () => rng.uniform());
  },
};
