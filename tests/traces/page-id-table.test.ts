import { describe, expect, it } from "vitest";
import { PageIdTable } from "../../src/traces/page-id-table.js";

describe("PageIdTable", () => {
  it("gives every id one page, through the table's growth (the id that makes it grow included)", () => {
    const table = new PageIdTable();
    // Non-decimal and large decimal ids go through the hash table; small decimals index an array.
    const ids = Array.from({ length: 50_000 }, (_, k) => (k % 3 === 0 ? `page-${k}` : k % 3 === 1 ? String(40_000_000 + k) : String(k)));
    const first = ids.map((id) => table.pageOfString(id));
    expect(first).toEqual(ids.map((_, k) => k));
    expect(ids.map((id) => table.pageOfString(id))).toEqual(first);
    expect(table.size).toBe(ids.length);
    expect(table.ids).toEqual(ids);
  });
});
