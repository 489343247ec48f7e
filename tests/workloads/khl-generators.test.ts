import { describe, expect, it } from "vitest";
import { generateWorkload, WORKLOADS } from "../../src/workloads/registry.js";
import { fixture } from "../helpers/khl.js";
import { readKhlTraceList } from "../../src/traces/khl-json.js";

const exported = readKhlTraceList(fixture("kv-hierarchy-lab/traces.json"));

describe("kv-hierarchy-lab generators", () => {
  it.each(exported.map((t) => [t.name, t] as const))("%s regenerates the exported trace bit for bit", (name, want) => {
    const got = generateWorkload(name);
    expect(got.numPages).toBe(want.numPages);
    expect(Array.from(got.accesses)).toEqual(Array.from(want.accesses));
    expect(Array.from(got.pageScalars!)).toEqual(Array.from(want.pageScalars!));
  });

  it("is deterministic and seed-sensitive for every workload", () => {
    for (const w of WORKLOADS) {
      const small = w.name === "zipf" ? { pages: 1000, length: 5000 } : {};
      const a = generateWorkload(w.name, { ...small, seed: 5 });
      const b = generateWorkload(w.name, { ...small, seed: 5 });
      expect(Array.from(a.accesses), w.name).toEqual(Array.from(b.accesses));
      const c = generateWorkload(w.name, { ...small, seed: 6 });
      const differs = Array.from(c.accesses).some((v, i) => v !== a.accesses[i]) ||
        Array.from(c.pageScalars!).some((v, i) => v !== a.pageScalars![i]);
      expect(differs, w.name).toBe(true);
    }
  });

  it("zipf favours low ranks", () => {
    const t = generateWorkload("zipf", { pages: 1000, length: 20000, alpha: 1.0, seed: 3 });
    const counts = new Int32Array(1000);
    for (const p of t.accesses) counts[p]!++;
    // P(rank 0) / P(rank 9) = 10 under alpha = 1.
    expect(counts[0]! / counts[9]!).toBeGreaterThan(6);
    expect(counts[0]! / counts[9]!).toBeLessThan(15);
  });
});
