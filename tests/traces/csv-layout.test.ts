import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseCsvLayout } from "../../src/traces/formats/csv-layout.js";
import { decodeOracleGeneral } from "../../src/traces/formats/oracle-general.js";
import { readTrace } from "../../src/traces/load.js";
import { runCli } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "kvsim-csv-layout-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SAMPLE = "tests/fixtures/libcachesim/cloudPhysicsIO.oracleGeneral.bin";

describe("CSV traces by libCacheSim's column parameters", () => {
  it("parses cachesim's -t syntax, the delimiter's own comma included", () => {
    expect(parseCsvLayout("time-col=2, obj-id-col=5, obj-size-col=4, delimiter=,, has-header=true", "p")).toEqual({ idColumn: 4, sizeColumn: 3, delimiter: 0x2c, header: true });
    expect(parseCsvLayout("obj-id-col=1,delimiter=\\t,has-header=false,obj-id-is-num=true", "p")).toEqual({ idColumn: 0, sizeColumn: -1, delimiter: 0x09, header: false });
  });

  it("refuses what it cannot read, naming the option", () => {
    expect(() => parseCsvLayout("obj-size-col=2", "--trace-params")).toThrow(/--trace-params: needs obj-id-col/);
    expect(() => parseCsvLayout("obj-id-col=0", "--trace-params")).toThrow(/obj-id-col=0 must be a column number from 1 to 1000/);
    expect(() => parseCsvLayout("obj-id-col=1, delimiter=#", "--trace-params")).toThrow(/delimiter "#" is not one of/);
    expect(() => parseCsvLayout("obj-id-col=1, colour=red", "--trace-params")).toThrow(/unknown parameter "colour"/);
    expect(() => parseCsvLayout("obj-id-col", "--trace-params")).toThrow(/is not a list of key=value/);
  });

  // The CloudPhysics sample written as libCacheSim's CSV and TSV (time, id, size), read back by columns.
  const sample = decodeOracleGeneral(readFileSync(SAMPLE), SAMPLE);
  const lines = Array.from(sample.accesses, (p, i) => [i + 1, sample.pageIds![p], sample.pageBytes![p]]);
  it.each([
    { name: "header, commas", text: ["time,obj_id,size", ...lines.map((l) => l.join(","))].join("\n"), params: "time-col=1, obj-id-col=2, obj-size-col=3, delimiter=,, has-header=true" },
    { name: "no header, tabs", text: lines.map((l) => l.join("\t")).join("\r\n"), params: "time-col=1, obj-id-col=2, obj-size-col=3, delimiter=\\t, has-header=false" },
    { name: "no header, pipes, sizes ignored", text: lines.map((l) => l.join("|")).join("\n"), params: "obj-id-col=2, delimiter=|, has-header=false" },
  ])("reads the sample as its oracleGeneral file: $name (the file spans several read chunks)", async ({ text, params }) => {
    const file = join(dir, "sample.csv");
    writeFileSync(file, text);
    const back = await readTrace(file, "csv", 0, undefined, parseCsvLayout(params, "p"));
    expect(back.accesses).toEqual(sample.accesses);
    expect(back.pageIds).toEqual(sample.pageIds);
    if (params.includes("obj-size-col")) expect(back.pageBytes).toEqual(sample.pageBytes);
    else expect(back.pageBytes).toBeUndefined();
  });

  it("says which line breaks the layout, and exits 2 from the CLI before any work", async () => {
    const file = join(dir, "short.csv");
    writeFileSync(file, "1,a,5\n2,b\n");
    await expect(readTrace(file, "csv", 0, undefined, parseCsvLayout("obj-id-col=2, obj-size-col=3, has-header=false", "p"))).rejects.toThrow(/short\.csv:2: 2 fields, but the header has 3 columns/);
    const bad = await runCli(["trace", "info", file, "--trace-params", "obj-id-col=9, has-header=false"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/short\.csv:1: the layout reads column 9, but the first record has 3/);
    const notCsv = await runCli(["trace", "info", SAMPLE, "--trace-params", "obj-id-col=1"]);
    expect(notCsv.code).toBe(2);
    expect(notCsv.stderr).toMatch(/--trace-params only applies to CSV traces \(this one is oracle-general\)/);
  });
});
