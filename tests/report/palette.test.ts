import { describe, expect, it } from "vitest";
import { POLICIES } from "../../src/policies/registry.js";
import { CATEGORY_COLOURS, POINT_SHAPES, registryScales, type Series } from "../../src/report/palette.js";

const NAMES = POLICIES.map((p) => p.name);
const plain = (names: readonly string[]): Series[] => names.map((name) => ({ label: name, name }));
const colourOf = (series: readonly Series[]) => {
  const { color } = registryScales(NAMES, series);
  return Object.fromEntries(color.domain.map((label, i) => [label, color.range[i]]));
};

/** sRGB hex to CIELAB (D65). */
function lab(hex: string): [number, number, number] {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((v) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)) as [number, number, number];
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);
  const fx = f((0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047);
  const fy = f(0.2126 * r + 0.7152 * g + 0.0722 * b);
  const fz = f((0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883);
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}

/** CIEDE2000 colour difference of two CIELAB colours (Sharma, Wu and Dalal 2005). */
function deltaE2000([L1, a1, b1]: readonly number[], [L2, a2, b2]: readonly number[]): number {
  const rad = Math.PI / 180;
  const cBar7 = ((Math.hypot(a1, b1) + Math.hypot(a2, b2)) / 2) ** 7;
  const g = 0.5 * (1 - Math.sqrt(cBar7 / (cBar7 + 25 ** 7)));
  const [c1, c2] = [Math.hypot((1 + g) * a1, b1), Math.hypot((1 + g) * a2, b2)];
  const hue = (b: number, a: number) => ((Math.atan2(b, (1 + g) * a) / rad) + 360) % 360;
  const [h1, h2] = [hue(b1, a1), hue(b2, a2)];
  // A hue is undefined at zero chroma: the formula then counts no hue difference, and sums the angles.
  const grey = c1 * c2 === 0;
  let dh = grey ? 0 : h2 - h1;
  if (dh > 180) dh -= 360;
  else if (dh < -180) dh += 360;
  const dH = 2 * Math.sqrt(c1 * c2) * Math.sin((dh * rad) / 2);
  const lBar = (L1 + L2) / 2;
  const cBar = (c1 + c2) / 2;
  const hBar = grey ? h1 + h2 : Math.abs(h1 - h2) > 180 ? ((h1 + h2 + 360) / 2) % 360 : (h1 + h2) / 2;
  const t = 1 - 0.17 * Math.cos((hBar - 30) * rad) + 0.24 * Math.cos(2 * hBar * rad) + 0.32 * Math.cos((3 * hBar + 6) * rad) - 0.2 * Math.cos((4 * hBar - 63) * rad);
  const sL = 1 + (0.015 * (lBar - 50) ** 2) / Math.sqrt(20 + (lBar - 50) ** 2);
  const sC = 1 + 0.045 * cBar;
  const sH = 1 + 0.015 * cBar * t;
  const rT = -2 * Math.sqrt(cBar ** 7 / (cBar ** 7 + 25 ** 7)) * Math.sin(60 * Math.exp(-(((hBar - 275) / 25) ** 2)) * rad);
  const [l, c, h] = [(L2 - L1) / sL, (c2 - c1) / sC, dH / sH];
  return Math.sqrt(l * l + c * c + h * h + rT * c * h);
}

describe("the category palette", () => {
  it("measures colour differences as Sharma et al.'s CIEDE2000 test data does", () => {
    expect(deltaE2000([50, 2.6772, -79.7751], [50, 0, -82.7485])).toBeCloseTo(2.0425, 4);
    expect(deltaE2000([50, 0, 0], [50, -1, 2])).toBeCloseTo(2.3669, 4);
    expect(deltaE2000([50, 2.5, 0], [73, 25, -18])).toBeCloseTo(27.1492, 4);
    expect(deltaE2000([60.2574, -34.0099, 36.2677], [60.4626, -34.1751, 39.4387])).toBeCloseTo(1.2644, 4);
  });

  it("has a colour for every policy the registry holds, with room for variants, and any two differ by a CIEDE2000 of at least 16", () => {
    expect(CATEGORY_COLOURS.length).toBeGreaterThanOrEqual(NAMES.length + 8);
    for (const [i, x] of CATEGORY_COLOURS.entries()) {
      for (const y of CATEGORY_COLOURS.slice(i + 1)) expect(deltaE2000(lab(x), lab(y)), `${x} against ${y}`).toBeGreaterThanOrEqual(16);
    }
    const all = colourOf(plain(NAMES));
    expect(new Set(Object.values(all)).size).toBe(NAMES.length);
  });

  it("gives a policy the colour of its place in the registry, whichever subset is drawn and in whatever order", () => {
    const all = colourOf(plain(NAMES));
    NAMES.forEach((name, i) => expect(all[name]).toBe(CATEGORY_COLOURS[i]));
    for (const subset of [["belady", "lru"], NAMES.filter((_, i) => i % 3 === 1), [...NAMES].reverse()]) {
      const some = colourOf(plain(subset));
      for (const name of subset) expect(some[name], `${name} among ${subset.join(", ")}`).toBe(all[name]);
    }
  });

  it("leaves the bare name its policy's colour and gives each labelled variant a colour no policy has", () => {
    const series = [{ label: "s3fifo (small_ratio=0.2)", name: "s3fifo" }, { label: "tuned", name: "s3fifo" }, ...plain(NAMES)];
    const colours = colourOf(series);
    expect(colours["s3fifo"]).toBe(CATEGORY_COLOURS[NAMES.indexOf("s3fifo")]);
    expect(colours["s3fifo (small_ratio=0.2)"]).toBe(CATEGORY_COLOURS[NAMES.length]);
    expect(colours["tuned"]).toBe(CATEGORY_COLOURS[NAMES.length + 1]);
    expect(new Set(Object.values(colours)).size).toBe(series.length);
    // Without the bare name, its first variant stands in for it.
    expect(colourOf([{ label: "tuned", name: "s3fifo" }])["tuned"]).toBe(colours["s3fifo"]);
  });

  it("never gives two series the same colour and shape, however many there are", () => {
    const many = Array.from({ length: CATEGORY_COLOURS.length * POINT_SHAPES.length }, (_, i) => `p${i}`);
    const { color, shape } = registryScales(many, plain(many));
    expect(new Set(color.range.map((c, i) => `${c} ${shape.range[i]}`)).size).toBe(many.length);
  });

  it("refuses a series whose entry is not in the registry", () => {
    expect(() => registryScales(NAMES, [{ label: "x", name: "no_such_policy" }])).toThrow(/"no_such_policy" is not in the registry/);
  });
});
