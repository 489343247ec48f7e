import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { missRatioCurves } from "../../src/mrc/miss-ratio-curves.js";
import { packageRoot } from "../../src/package-info.js";
import { decodeOracleGeneral } from "../../src/traces/formats/oracle-general.js";
import { openPlayground, type PlaygroundPage } from "../helpers/playground-page.js";

const SAMPLE = join(packageRoot(), "tests", "fixtures", "libcachesim", "cloudPhysicsIO.oracleGeneral.bin");
let playground: PlaygroundPage;
let page: Page;

beforeAll(async () => {
  playground = await openPlayground("mrc");
  page = playground.page;
}, 60_000);

afterAll(async () => playground?.close());

/** Clicks Compute and returns the curves the page computed (undefined after an error). */
async function computeInPage(): Promise<unknown> {
  await page.evaluate(() => delete document.body.dataset.mrc);
  await page.click("#run-mrc");
  await page.waitForSelector("body[data-mrc=done]", { timeout: 60_000 });
  return page.evaluate(() => (window as unknown as { kvsimPlayground: { lastMrc?: unknown } }).kvsimPlayground.lastMrc);
}

describe("the playground's miss-ratio curves in Chromium", () => {
  it("says what is missing before a trace is given", async () => {
    await page.click("#run-mrc");
    await page.waitForSelector("#mrc-error:not([hidden])");
    expect(await page.textContent("#mrc-error")).toBe("trace: choose a trace file first");
  });

  it("gives libCacheSim's CloudPhysics sample the curves Node gives, libCacheSim's counts among them, with a chart and a table", async () => {
    await page.setInputFiles("#mrc-trace-input", SAMPLE);
    await page.waitForSelector("body[data-mrc-trace=read]");
    expect(await page.textContent("#mrc-trace-info")).toBe("cloudPhysicsIO.oracleGeneral.bin: 113,872 requests, 48,974 objects");
    for (const policy of ["lfu", "belady"]) await page.check(`#mrc-policy-list input[value=${policy}]`);
    await page.fill("#mrc-sizes", "490,2449,4897,9795");
    const inPage = await computeInPage();

    const trace = decodeOracleGeneral(readFileSync(SAMPLE), "cloudPhysicsIO.oracleGeneral.bin");
    // The page lists policies in the registry's order.
    const policies = ["lru", "fifo", "sieve", "s3fifo", "belady", "lfu"];
    const node = await missRatioCurves({ trace, policies, sizes: "490,2449,4897,9795", ignoreObjectSize: true, profile: "libcachesim", threads: 0 });
    expect(inPage).toEqual(node);
    // cachesim's counts at 490 objects (tests/fixtures/libcachesim/cloudphysics_misses.csv).
    const at490 = Object.fromEntries(node.curves.map((c) => [c.policy, c.points[0]!.misses]));
    expect(at490).toEqual({ lru: 95415, fifo: 96515, sieve: 94415, s3fifo: 94555, lfu: 96757, belady: 90255 });
    await page.waitForSelector("#mrc-chart img");
    expect(await page.$$eval("#mrc-table tbody tr", (rows) => rows.map((r) => r.firstElementChild?.textContent))).toEqual(policies);
    expect(await page.textContent("#mrc-table thead")).toContain("simulated");
    expect(playground.pageErrors).toEqual([]);
  });

  it("names the field of a bad size, and computes again once it is fixed", async () => {
    await page.fill("#mrc-sizes", "490,0");
    await computeInPage();
    expect(await page.textContent("#mrc-error")).toMatch(/sizes/);
    await page.fill("#mrc-sizes", "5%");
    expect(await computeInPage()).toMatchObject({ objects: 48_974, curves: [{ policy: "lru" }, { policy: "fifo" }, { policy: "sieve" }, { policy: "s3fifo" }, { policy: "belady" }, { policy: "lfu" }] });
    expect(await page.isHidden("#mrc-error")).toBe(true);
  });
});
