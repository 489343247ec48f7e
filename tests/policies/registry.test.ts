import { describe, expect, it } from "vitest";
import { POLICIES, policyInfo, PROFILES } from "../../src/policies/registry.js";
import { POLICY_CATALOG_HASH } from "../../src/policies/catalog.generated.js";
import { HierarchyEngine, Profile } from "../../src/wasm/hierarchy.js";
import { exportsOf } from "../../src/wasm/instance.js";

const run = (policyId: number, params: number[]) => ({
  profile: Profile.kvsim, pageBytes: Int32Array.from([1, 1, 1]), decodePenaltyMs: 0, seed: 0, eventCapacity: 0,
  tiers: [{ capacityBytes: 2, readLatencyMs: 0, writeLatencyMs: 0, bandwidthBytesPerMs: 1 }],
  accesses: Int32Array.from([0, 1, 2, 0]), policyId, params, prefetch: false, maxPrefetchCandidates: 0,
});

describe("the page-policy registry", () => {
  it("is the engine's: ids are places in assembly/policies/registry.ts, and host and engine agree on every entry", () => {
    const engine = new HierarchyEngine();
    const raw = exportsOf(engine);
    expect(POLICIES.map((p) => p.id)).toEqual(POLICIES.map((_, i) => i));
    expect(raw.policyCount()).toBe(POLICIES.length);
    expect(raw.policyCatalogHash() >>> 0).toBe(POLICY_CATALOG_HASH);
    expect(new Set(POLICIES.map((p) => p.name)).size).toBe(POLICIES.length);
    for (const p of POLICIES) {
      expect(p.source.length, p.name).toBeGreaterThan(0);
      expect(p.victimSearch.length, p.name).toBeGreaterThan(0);
      expect(p.profiles.every((x) => PROFILES.includes(x))).toBe(true);
      // Every entry makes a policy that replays: its defaults fill its parameter struct.
      expect(engine.load(run(p.id, p.params.map((x) => x.default))), p.name).toBe(-1);
      expect(engine.replay(0, 4)).toBe(4);
    }
    expect(POLICIES.filter((p) => p.future).map((p) => p.name)).toEqual(["belady"]);
  });

  it("an unknown policy is an error, by name in the host and by id in the engine", () => {
    expect(() => policyInfo("nope")).toThrow(/unknown policy "nope" \(known: lru, /);
    const engine = new HierarchyEngine();
    expect(() => engine.load(run(POLICIES.length, []))).toThrow(`the engine has no policy with id ${POLICIES.length}`);
    expect(() => engine.load(run(-1, []))).toThrow("the engine has no policy with id -1");
  });

  it("parameters that do not fill the policy's parameter struct are refused", () => {
    const s3fifo = policyInfo("s3fifo");
    expect(s3fifo.params.map((p) => p.name)).toEqual(["small_ratio", "move_to_main_threshold", "ghost_fifo", "ghost_ratio", "drain_small", "ghost_check_first"]);
    expect(() => new HierarchyEngine().load(run(s3fifo.id, []))).toThrow(`policy ${s3fifo.id} takes other parameters than the 0 given`);
    expect(() => new HierarchyEngine().load(run(policyInfo("lru").id, [1]))).toThrow(/takes other parameters than the 1 given/);
  });
});
