import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readTokenTrace, writeTokenTrace } from "../../src/tokens/format.js";
import { generateTokenTrace } from "../../src/tokens/generate.js";
import { Xoshiro128, splitmix32 } from "../../src/tokens/rng.js";
import { attentionRow, headView, SINK, NEEDLE } from "../../src/tokens/trace.js";
import { referenceAttentionRow } from "../reference/attention-row.js";

const SMALL = { contextTokens: 512, futureTokens: 64, kvHeads: 3, headDim: 16, obsWindow: 32 };

describe("token trace generator", () => {
  it("xoshiro128** from splitmix32 is a fixed, 32-bit sequence", () => {
    const a = new Xoshiro128(splitmix32(1));
    const b = new Xoshiro128(splitmix32(1));
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(xs).toEqual(Array.from({ length: 5 }, () => b.next()));
    expect(xs.every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32)).toBe(true);
    expect(new Set(xs).size).toBe(5);
  });

  it("is deterministic in its seed, and adding heads leaves existing heads unchanged", () => {
    const a = generateTokenTrace({ ...SMALL, seed: 7 });
    const b = generateTokenTrace({ ...SMALL, seed: 7 });
    expect(b.keys).toEqual(a.keys);
    expect(b.utilitySum).toEqual(a.utilitySum);
    expect(generateTokenTrace({ ...SMALL, seed: 8 }).keys).not.toEqual(a.keys);
    const wider = generateTokenTrace({ ...SMALL, seed: 7, kvHeads: 5 });
    const n = 576 * 16;
    expect(wider.keys.subarray(0, 3 * n)).toEqual(a.keys);
    expect(wider.utilitySum.subarray(0, 3 * 512)).toEqual(a.utilitySum);
  });

  it("lays out sinks, needles and decoys as specified", () => {
    const tr = generateTokenTrace({ ...SMALL, seed: 2 });
    expect([...tr.tokenType!.subarray(0, 4)]).toEqual([SINK, SINK, SINK, SINK]);
    const needles = [...tr.tokenType!].map((t, i) => (t === NEEDLE ? i : -1)).filter((i) => i >= 0);
    expect(needles).toHaveLength(16);
    expect(needles.every((i) => i >= 4 && i < 512 - 256)).toBe(true);
    expect(needles.filter((i) => tr.decoy![i] === 1)).toHaveLength(8);
    // Decoys are never retrieved.
    for (let e = 0; e < tr.events!.length; e += 4) expect(tr.events![e + 3]!).toBeLessThan(8);
  });

  it("stores utilities equal to a plain TypeScript recomputation from the stored future queries", () => {
    const tr = generateTokenTrace({ ...SMALL, seed: 4, groupSize: 2, gqaReduce: "max" });
    const kernelRow = new Float64Array(576);
    for (let h = 0; h < 3; h++) {
      const view = headView(tr, 0, h);
      const sum = new Float64Array(512);
      for (let t = 512; t < 576; t++) {
        const [row, other] = [referenceAttentionRow(view, 0, t), referenceAttentionRow(view, 1, t)];
        expect(row.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
        // The WASM SIMD kernel (f32 dot products) agrees with the f64 reference.
        attentionRow(view, 1, t, kernelRow);
        for (let i = 0; i <= t; i++) expect(Math.abs(kernelRow[i]! - other[i]!)).toBeLessThan(1e-5 + 1e-4 * other[i]!);
        for (let i = 0; i < 512; i++) sum[i]! += Math.max(row[i]!, other[i]!);
      }
      for (let i = 0; i < 512; i++) expect(Math.abs(tr.utilitySum[h * 512 + i]! - sum[i]!)).toBeLessThan(1e-4 * Math.max(1, sum[i]!));
    }
  });

  it("names a bad parameter", () => {
    expect(() => generateTokenTrace({ contextTokens: 10 })).toThrow(/contextTokens/);
    expect(() => generateTokenTrace({ profiles: ["bursty"] } as never)).toThrow(/profiles/);
    expect(() => generateTokenTrace({ contextTokens: 512, obsWindow: 384 })).toThrow(/obsWindow/);
  });
});

describe(".kvtrace files", () => {
  const dir = mkdtempSync(join(tmpdir(), "kvsim-kvtrace-"));

  it("round-trips every array and the header, with 64-byte aligned arrays", () => {
    const tr = generateTokenTrace({ ...SMALL, seed: 3 });
    const file = join(dir, "a.kvtrace");
    writeTokenTrace(file, tr);
    const bytes = readFileSync(file);
    expect(bytes.toString("latin1", 0, 8)).toBe("KVTRACE1");
    expect((16 + bytes.readUInt32LE(8)) % 64).toBe(0);
    const back = readTokenTrace(file);
    expect(back.header).toEqual(tr.header);
    for (const key of ["positions", "keys", "values", "queries", "utilitySum", "utilityMax", "h2oAcc", "observedAttn", "queryMean", "queryCov", "tokenType", "needleId", "decoy", "events"] as const) {
      expect(back[key], key).toEqual(tr[key]);
    }
  });

  it("rejects a malformed file with a message naming it", () => {
    const tr = generateTokenTrace({ ...SMALL, seed: 3 });
    const good = join(dir, "b.kvtrace");
    writeTokenTrace(good, tr);
    const bytes = readFileSync(good);
    const bad = (name: string, data: Buffer) => {
      const f = join(dir, name);
      writeFileSync(f, data);
      return () => readTokenTrace(f);
    };
    expect(bad("magic.kvtrace", Buffer.from("NOTATRACE-------"))).toThrow(/magic.kvtrace: not a kvtrace file/);
    expect(bad("cut.kvtrace", bytes.subarray(0, bytes.length - 100))).toThrow(/cut.kvtrace: arrays\.\w+: offset .* past the end/);
    const json = bytes.toString("utf8", 16, 16 + bytes.readUInt32LE(8)).replace('"keys":{"dtype":"f32"', '"keys":{"dtype":"i16"');
    const edited = Buffer.from(bytes);
    edited.write(json, 16, "utf8");
    expect(bad("dtype.kvtrace", edited)).toThrow(/arrays\.keys\.dtype: expected f32/);
    const header = bytes.toString("utf8", 16, 16 + bytes.readUInt32LE(8));
    const withQueryStart = Buffer.from(bytes);
    withQueryStart.write(header.replace('"queryStart":480', '"queryStart":999'), 16, "utf8");
    expect(bad("query-start.kvtrace", withQueryStart)).toThrow(/queryStart: must be at most tokens.context/);
    expect(() => readTokenTrace(join(dir, "missing.kvtrace"))).toThrow(/cannot read .*missing.kvtrace/);
  });

  // Found by tests/traces/fuzz.test.ts: header fields of the wrong type were TypeErrors.
  it("names a header field of the wrong type", () => {
    const file = join(dir, "c.kvtrace");
    writeTokenTrace(file, generateTokenTrace({ ...SMALL, seed: 3 }));
    const bytes = readFileSync(file);
    const header = bytes.toString("utf8", 16, 16 + bytes.readUInt32LE(8));
    // The edit may outgrow the header's padding: re-frame it (new length, 64-byte aligned blob).
    const edited = (from: string, to: string) => {
      const json = header.replace(from, to).trimEnd();
      const length = Math.ceil((Buffer.byteLength(json) + 16) / 64) * 64 - 16;
      const frame = Buffer.from(bytes.subarray(0, 16));
      frame.writeUInt32LE(length, 8);
      writeFileSync(file, Buffer.concat([frame, Buffer.from(json.padEnd(length, " ")), bytes.subarray(16 + bytes.readUInt32LE(8))]));
      return () => readTokenTrace(file);
    };
    expect(edited('"slopePerHead":[', '"slopePerHead":"x","y":[')).toThrow(/c\.kvtrace: model\.positionBias\.slopePerHead: /);
    expect(edited('"keys":{"dtype":"f32"', '"keys":{"dtype":null')).toThrow(/c\.kvtrace: arrays\.keys\.dtype: /);
  });
});
