import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { evaluateTokenTrace } from "../../src/tokens/evaluate.js";
import { readTokenTrace, writeTokenTrace } from "../../src/tokens/format.js";
import { generateTokenTrace } from "../../src/tokens/generate.js";
import { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16 } from "../../src/tokens/half.js";
import { knorm } from "../../src/tokens/policies/knorm.js";
import { TOKEN_POLICIES } from "../../src/tokens/policies/registry.js";
import { rotate } from "../../src/tokens/rope.js";
import { headView } from "../../src/tokens/trace.js";
import { referenceAttentionRow } from "../reference/attention-row.js";

const SMALL = { contextTokens: 512, futureTokens: 32, kvHeads: 2, layers: 2, headDim: 16, obsWindow: 32, seed: 6 };

describe("RoPE traces with several layers", () => {
  const plain = generateTokenTrace(SMALL);
  const roped = generateTokenTrace({ ...SMALL, ropeTheta: 10_000 });
  const d = 16;

  it("rotates HF-style: pair (c, c + d/2) turns by pos·theta^(−2c/d)", () => {
    const x = Float64Array.from([1, 0, 0, 0]);
    rotate(x, 2, { theta: 100 });
    // c = 0 turns by 2 rad, c = 1 by 2·100^(−1/2) = 0.2 rad; (1, 0) at c = 0 goes to (cos 2, sin 2) on (0, 2).
    [Math.cos(2), 0, Math.sin(2), 0].forEach((v, i) => expect(x[i]).toBeCloseTo(v, 12));
  });

  it("stores every layer's keys and queries rotated at their positions, values and query statistics as without RoPE", () => {
    expect(roped.header.model.rope).toEqual({ theta: 10_000 });
    expect(roped.values).toEqual(plain.values);
    expect(roped.queryMean).toEqual(plain.queryMean);
    const n = 544;
    for (let layer = 0; layer < 2; layer++) {
      for (const i of [0, 7, 300, 543]) {
        const base = ((layer * 2 + 1) * n + i) * d;
        const k = Float64Array.from(plain.keys.subarray(base, base + d));
        rotate(k, i, { theta: 10_000 });
        k.forEach((v, c) => expect(roped.keys[base + c]).toBeCloseTo(v, 4));
      }
    }
    // Rotation keeps norms, so knorm ranks alike (up to f32 rounding).
    const a = knorm.score({ view: headView(plain, 1, 0), layerViews: [], seed: 6, layer: 1, head: 0 });
    const b = knorm.score({ view: headView(roped, 1, 0), layerViews: [], seed: 6, layer: 1, head: 0 });
    a.forEach((v, i) => expect(b[i]).toBeCloseTo(v, 4));
  });

  it("computes utilities from the rotated keys and queries, in every layer", () => {
    for (let layer = 0; layer < 2; layer++) {
      const view = headView(roped, layer, 1);
      const sum = new Float64Array(512);
      for (let t = 512; t < 544; t++) referenceAttentionRow(view, 0, t).subarray(0, 512).forEach((a, i) => (sum[i]! += a));
      const base = (layer * 2 + 1) * 512;
      for (let i = 0; i < 512; i++) expect(Math.abs(roped.utilitySum[base + i]! - sum[i]!)).toBeLessThan(1e-4 * Math.max(1, sum[i]!));
    }
  });

  it("runs every press on every layer", () => {
    const results = evaluateTokenTrace(roped, { policies: ["oracle", ...TOKEN_POLICIES.map((p) => p.name)], budgets: [0.1], errorQueries: 2 });
    expect(results).toHaveLength(4 * (1 + TOKEN_POLICIES.length));
    expect(new Set(results.map((r) => r.layer))).toEqual(new Set([0, 1]));
    for (const r of results) expect(r.budgets[0]!.ratio).toBeLessThanOrEqual(1 + 1e-9);
  });

  it("refuses an odd head dimension", () => {
    expect(() => generateTokenTrace({ ...SMALL, headDim: 15, ropeTheta: 10_000 })).toThrow(/ropeTheta: .*headDim must be even/);
  });
});

describe("16-bit floats in .kvtrace files", () => {
  const dir = mkdtempSync(join(tmpdir(), "kvsim-half-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("converts f16 and bf16 as IEEE and torch do, rounding to nearest even", () => {
    expect([1, -2, 65504, 0.1, 2 ** -24, 1e-9, 1e6].map(f32ToF16)).toEqual([0x3c00, 0xc000, 0x7bff, 0x2e66, 0x0001, 0x0000, 0x7c00]);
    expect([0x3c00, 0x2e66, 0x0001, 0x7c00].map(f16ToF32)).toEqual([1, 0.0999755859375, 2 ** -24, Infinity]);
    // 1 + 2^-11 lies halfway between two halves: ties go to the even one, 1.
    expect(f32ToF16(1 + 2 ** -11)).toBe(0x3c00);
    expect(f32ToF16(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect([1, -2, 0.1, 3.140625].map(f32ToBf16)).toEqual([0x3f80, 0xc000, 0x3dcd, 0x4049]);
    expect(bf16ToF32(0x3dcd)).toBe(0.10009765625);
  });

  it.each(["f16", "bf16"] as const)("reads keys, values and queries stored as %s, widened to f32", (dtype) => {
    const trace = generateTokenTrace({ ...SMALL, layers: 1, ropeTheta: 10_000 });
    const file = join(dir, `${dtype}.kvtrace`);
    writeTokenTrace(file, trace, { kvDtype: dtype });
    const header = JSON.parse(readFileSync(file).toString("utf8", 16, 16 + readFileSync(file).readUInt32LE(8))) as { arrays: Record<string, { dtype: string }> };
    expect(header.arrays["keys"]!.dtype).toBe(dtype);
    expect(header.arrays["utility_sum"]!.dtype).toBe("f32");
    const back = readTokenTrace(file);
    const tolerance = dtype === "f16" ? 2 ** -10 : 2 ** -7;
    for (const key of ["keys", "values", "queries"] as const) {
      back[key].forEach((v, i) => expect(Math.abs(v - trace[key][i]!)).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(trace[key][i]!))));
    }
    expect(back.utilitySum).toEqual(trace.utilitySum);
    expect(evaluateTokenTrace(back, { policies: ["snapkv"], budgets: [0.1], errorQueries: 0 })).toHaveLength(2);
  });

  it("names the array and element of a value that overflowed to infinity", () => {
    const trace = generateTokenTrace({ ...SMALL, layers: 1 });
    trace.values[5] = 1e6; // beyond f16's 65504
    const file = join(dir, "overflow.kvtrace");
    writeTokenTrace(file, trace, { kvDtype: "f16" });
    expect(() => readTokenTrace(file)).toThrow(/overflow\.kvtrace: arrays\.values: element 5 is Infinity, not a finite number/);
    // A dtype no reader knows names the field and the choices.
    const bytes = readFileSync(file);
    const edited = Buffer.from(bytes);
    edited.write(bytes.toString("utf8", 16, 16 + bytes.readUInt32LE(8)).replace('"keys":{"dtype":"f16"', '"keys":{"dtype":"f8"'), 16, "utf8");
    writeFileSync(file, edited);
    expect(() => readTokenTrace(file)).toThrow(/arrays\.keys\.dtype: expected f32, f16 or bf16, got "f8"/);
  });
});
