import { describe, expect, it } from "vitest";
import { decimalIds, U64IdTable } from "../../src/traces/u64-id-table.js";

describe("U64IdTable", () => {
  it("gives every id one page in order of first appearance, ids below directIds by index and the rest hashed, through both growths", () => {
    const directIds = 30_000;
    const table = new U64IdTable(directIds);
    // Small ids (some at and past the limit), ids with a high word, and negative words (u32 above 2^31) mixed.
    const ids: [number, number][] = Array.from({ length: 60_000 }, (_, k) => {
      const kind = k % 4;
      if (kind === 0) return [k >> 1, 0];
      if (kind === 1) return [directIds - 2 + (k % 5), 0];
      if (kind === 2) return [k, 7 + (k % 3)];
      // High words up to 2^32 - 1: ids past 2^53 are written through BigInt, the rest as doubles.
      return [-1 - k, k % 8 === 3 ? 0 : -1 - (k % 5)];
    });
    const pages = ids.map(([low, high]) => table.pageOf(low, high));
    const expected = new Map<string, number>();
    ids.forEach(([low, high]) => expected.has(`${low}/${high}`) || expected.set(`${low}/${high}`, expected.size));
    expect(pages).toEqual(ids.map(([low, high]) => expected.get(`${low}/${high}`)));
    expect(table.size).toBe(expected.size);
    // Looked up again, every id keeps its page; decimalIds gives each page's id as an unsigned decimal.
    expect(ids.map(([low, high]) => table.pageOf(low, high))).toEqual(pages);
    const strings = decimalIds(table.objectIds());
    expect(strings).toHaveLength(expected.size);
    for (const [key, page] of expected) {
      const [low, high] = key.split("/").map(Number) as [number, number];
      expect(strings[page]).toBe(((BigInt(high >>> 0) << 32n) | BigInt(low >>> 0)).toString());
    }
  });

  it("hashes every id by default, and refuses a direct range above 2^26", () => {
    const table = new U64IdTable();
    expect([table.pageOf(3, 0), table.pageOf(3, 1), table.pageOf(3, 0)]).toEqual([0, 1, 0]);
    expect(() => new U64IdTable(2 ** 26 + 1)).toThrow(/directIds 67108865 is above 2\^26/);
  });
});
