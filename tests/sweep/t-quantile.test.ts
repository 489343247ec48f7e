import { describe, expect, it } from "vitest";
import { tQuantile975 } from "../../src/sweep/t-quantile.js";

describe("tQuantile975", () => {
  it("matches the closed forms for 1 and 2 degrees of freedom", () => {
    expect(tQuantile975(1)).toBeCloseTo(Math.tan(Math.PI * 0.475), 12);
    expect(tQuantile975(2)).toBeCloseTo(0.95 * Math.sqrt(2 / (4 * 0.975 * 0.025)), 12);
  });

  it("is continuous where the table hands over to the expansion, decreasing, and tends to z(0.975)", () => {
    expect(Math.abs(tQuantile975(101) - tQuantile975(100))).toBeLessThan(3e-4);
    expect(tQuantile975(101)).toBeLessThan(tQuantile975(100));
    for (let df = 1; df < 400; df++) expect(tQuantile975(df + 1)).toBeLessThan(tQuantile975(df));
    expect(tQuantile975(1e9)).toBeCloseTo(1.959963984540054, 8);
    // Textbook values (Abramowitz & Stegun table 26.10).
    expect(tQuantile975(10)).toBeCloseTo(2.228138851986, 11);
    expect(tQuantile975(120)).toBeCloseTo(1.979930405, 8);
  });

  it("rejects degrees of freedom that are not positive integers", () => {
    expect(() => tQuantile975(0)).toThrow(/positive integer/);
    expect(() => tQuantile975(2.5)).toThrow(/positive integer/);
  });
});
