import { describe, expect, it } from "vitest";
import { TestHierarchyEngine } from "../helpers/test-build.js";

/** Φ(x), by the Abramowitz–Stegun 7.1.26 erf approximation (error < 1.5e-7, far below the tolerances here). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

describe("the serving traffic's normal sampler (ziggurat in WASM)", () => {
  const engine = new TestHierarchyEngine();
  const draw = (seed: number, n: number): Float64Array => engine.sampleNormals(seed, n);

  it("matches the standard normal: moments, the CDF at ±1..±4 and the Kolmogorov–Smirnov distance", () => {
    const n = 1_000_000;
    const x = draw(7, n);
    let mean = 0;
    for (const v of x) mean += v;
    mean /= n;
    let m2 = 0, m4 = 0;
    for (const v of x) {
      const d = v - mean;
      m2 += d * d;
      m4 += d ** 4;
    }
    m2 /= n;
    m4 /= n;
    expect(Math.abs(mean)).toBeLessThan(0.005); // 5 standard errors
    expect(Math.abs(m2 - 1)).toBeLessThan(0.008);
    expect(Math.abs(m4 / (m2 * m2) - 3)).toBeLessThan(0.03);
    const sorted = x.slice().sort();
    let ks = 0;
    for (let i = 0; i < n; i += 97) ks = Math.max(ks, Math.abs((i + 0.5) / n - normalCdf(sorted[i]!)));
    expect(ks).toBeLessThan(1.63 / Math.sqrt(n)); // the 1% critical value
    // The tails come from Marsaglia's tail method beyond R ≈ 3.44: their mass must be right too.
    for (const t of [1, 2, 3, 3.5, 4]) {
      const below = x.filter((v) => v < -t).length / n;
      const above = x.filter((v) => v > t).length / n;
      const p = normalCdf(-t);
      const tolerance = 5 * Math.sqrt(p * (1 - p) / n);
      expect(Math.abs(below - p)).toBeLessThan(tolerance);
      expect(Math.abs(above - p)).toBeLessThan(tolerance);
    }
  });

  it("is a pure function of the seed, and different seeds give different streams", () => {
    expect(draw(3, 1000)).toEqual(draw(3, 1000));
    expect(draw(3, 1000)).not.toEqual(draw(4, 1000));
  });
});
