import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as blockPoolAbi from "../../assembly/abi/block-pool.js";
import * as hierarchyAbi from "../../assembly/abi/hierarchy.js";
import * as policiesAbi from "../../assembly/abi/policies.js";
import { POLICY_CATALOG_HASH } from "../../src/policies/catalog.generated.js";
import * as servingAbi from "../../assembly/abi/serving.js";
import * as timedAbi from "../../assembly/abi/timed.js";
import { simulate } from "../../src/simulate.js";
import { SCENARIO_PRESETS } from "../../src/hierarchy/presets.js";
import { BlockPool } from "../../src/wasm/block-pool.js";
import { HierarchyEngine } from "../../src/wasm/hierarchy.js";
import { checkBoundary, EngineAbort, engineModule, enumMembers, exportsOf, servingModule } from "../../src/wasm/instance.js";
import { ServingEnv } from "../../src/envs/serving/serving-env.js";
import { RankingKernel } from "../../src/wasm/tokens.js";
import { generateWorkload } from "../../src/workloads/registry.js";
import { servingTestModule, testModule } from "../helpers/test-build.js";

const TEST_HOOKS = ["allowQueueReplay", "replayLoop", "setArrivalLimit", "checkLazyHeaps", "lazyHeapChecks", "sampleNormals"];
const SERVING_TEST_HOOKS = ["setArrivalLimit"];
const exportNames = (module: WebAssembly.Module) => WebAssembly.Module.exports(module).map((e) => e.name);

/** A WebAssembly module that exports the given i32 globals and a `policyCatalogHash` returning `hash`. */
function moduleWithGlobals(globals: Record<string, number>, hash = POLICY_CATALOG_HASH): WebAssembly.Module {
  const leb = (n: number): number[] => {
    const out: number[] = [];
    for (;;) {
      const byte = n & 0x7f;
      n >>= 7;
      const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
      out.push(done ? byte : byte | 0x80);
      if (done) return out;
    }
  };
  const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body];
  const entries = Object.entries(globals);
  const globalSection = [...leb(entries.length), ...entries.flatMap(([, v]) => [0x7f, 0x00, 0x41, ...leb(v), 0x0b])];
  const name = (s: string) => [s.length, ...Buffer.from(s)];
  const exportSection = [...leb(entries.length + 1), ...entries.flatMap(([n], i) => [...name(n), 0x03, ...leb(i)]), ...name("policyCatalogHash"), 0x00, 0];
  const body = [0, 0x41, ...leb(hash | 0), 0x0b];
  return new WebAssembly.Module(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...section(1, [1, 0x60, 0, 1, 0x7f]), ...section(3, [1, 0]),
    ...section(6, globalSection), ...section(7, exportSection), ...section(10, [1, body.length, ...body])]));
}

/** Every member of every enum of assembly/abi/, as the engine names its globals. */
const boundaryGlobals = (): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const [name, members] of Object.entries({ ...hierarchyAbi, ...blockPoolAbi, ...servingAbi, ...policiesAbi, ...timedAbi })) {
    for (const m of enumMembers(members)) out[`${name}.${m}`] = members[m as keyof typeof members] as number;
  }
  return out;
};

describe("the declared boundary", () => {
  it("both release engines export every member of assembly/abi/ with the host's value, and no test hook", () => {
    for (const module of [engineModule(), servingModule()]) {
      const names = exportNames(module);
      for (const key of Object.keys(boundaryGlobals())) expect(names).toContain(key);
      for (const hook of TEST_HOOKS) expect(names).not.toContain(hook);
    }
    expect(() => new HierarchyEngine()).not.toThrow();
    expect(() => new BlockPool({ gpuBlocks: 1, cpuBlocks: 0, tokensPerBlock: 1, maxRequests: 1, maxBlocksPerRequest: 1 })).not.toThrow();
  });

  it("the test builds carry the hooks on top of their release ABI", () => {
    for (const [release, test, hooks] of [[engineModule(), testModule, TEST_HOOKS], [servingModule(), servingTestModule, SERVING_TEST_HOOKS]] as const) {
      const releaseNames = exportNames(release);
      const testNames = exportNames(test);
      for (const name of releaseNames) expect(testNames).toContain(name);
      expect(testNames.filter((n) => !releaseNames.includes(n)).sort()).toEqual([...hooks].sort());
    }
  });

  it("the page engine holds no block pool nor serving simulation (their build calls the policies apart)", () => {
    const names = exportNames(engineModule());
    expect(names.filter((n) => /^(pool|serving)[A-Z]/.test(n))).toEqual([]);
    expect(exportNames(servingModule()).filter((n) => n === "replay" || n === "start" || n.startsWith("scoring"))).toEqual([]);
  });

  it("an engine built from other sources is refused by name: a value that differs, a member missing or one unknown", () => {
    const instance = (m: WebAssembly.Module) => new WebAssembly.Instance(m);
    const good = boundaryGlobals();
    const check = (globals: Record<string, number>) => {
      const m = moduleWithGlobals(globals);
      return () => checkBoundary(m, instance(m));
    };
    expect(check(good)).not.toThrow();
    expect(check({ ...good, "RunField.hits": 7 })).toThrow(/RunField\.hits is 7 in the engine, 1 here.*npm run build:wasm/);
    const { ["ServingAction.COUNT"]: _, ...missing } = good;
    expect(check(missing)).toThrow(/ServingAction\.COUNT is missing/);
    expect(check({ ...good, "RunField.extra": 99 })).toThrow(/exports RunField\.extra, unknown here/);
    const otherRegistry = moduleWithGlobals(good, POLICY_CATALOG_HASH + 1);
    expect(() => checkBoundary(otherRegistry, instance(otherRegistry))).toThrow(/policy registry hashes to \d+, this host's to \d+/);
  });

  it("an engine abort names its message, the engine's source file and line, and the subsystem", () => {
    const engine = new HierarchyEngine();
    // A StaticArray longer than the allocator allows: the engine aborts with its own message.
    let error: unknown;
    try {
      exportsOf(engine).traceBuffer(1 << 29);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EngineAbort);
    const abort = error as EngineAbort;
    expect(abort.subsystem).toBe("hierarchy");
    expect(abort.reason).toMatch(/length/i);
    expect(abort.file).toMatch(/staticarray\.ts$/);
    expect(abort.line).toBeGreaterThan(0);
    expect(abort.message).toMatch(/^kvsim engine \(hierarchy\) aborted: .* at .*staticarray\.ts:\d+:\d+$/);
  });

  it("a run whose buffers grow the engine's memory loads intact (views are made after the call that allocates)", () => {
    // 6M accesses (24 MB) outgrow the initial 16 MB memory while the trace buffer is allocated.
    const n = 6_000_000;
    const accesses = new Int32Array(n);
    for (let i = 0; i < n; i++) accesses[i] = i % 1000;
    const trace = { name: "cycle", numPages: 1000, accesses, pageBytes: new Int32Array(1000).fill(1) };
    const scenario = { ...SCENARIO_PRESETS.constrained_fp16_prefetch!, prefetch: { enabled: false, maxCandidates: 0 },
      tiers: [{ name: "one", capacityBytes: 500, readLatencyMs: 0, writeLatencyMs: 0, bandwidthBytesPerMs: 1 }] };
    const { metrics } = simulate({ scenario, trace, policy: "fifo" });
    // A cyclic scan of 1,000 pages through a FIFO of 500 misses every access.
    expect(metrics.accesses).toBe(n);
    expect(metrics.misses).toBe(n);
  });

  it("each facade owns its instance: subsystems used in turn give what each gives alone", () => {
    const scenario = SCENARIO_PRESETS.constrained_fp16_prefetch!;
    const trace = generateWorkload("zipf", { pages: 800, length: 20_000, seed: 3 });
    const alone = {
      replay: JSON.stringify(simulate({ scenario, trace, policy: "s3fifo" }).metrics),
      ranking: Array.from(new RankingKernel().rank([3, 1, 2, 5, 4]).order),
    };
    const episode = (env: ServingEnv, steps: number) => {
      env.reset({ seed: 4 });
      for (let i = 0; i < steps; i++) env.step(env.schedulerAction());
      return env.counters();
    };
    const servingAlone = episode(new ServingEnv({ task: "easy", gpuBlocks: 512, cpuBlocks: 512, batchLimit: 16 }), 200);

    const engine = new HierarchyEngine();
    const pool = new BlockPool({ gpuBlocks: 8, cpuBlocks: 4, tokensPerBlock: 4, maxRequests: 2, maxBlocksPerRequest: 8 });
    const env = new ServingEnv({ task: "easy", gpuBlocks: 512, cpuBlocks: 512, batchLimit: 16 });
    const ranking = new RankingKernel();
    env.reset({ seed: 4 });
    pool.admit(0, 13, [11, 12, 13]);
    const replay = JSON.stringify(simulate({ scenario, trace, policy: "s3fifo", engine }).metrics);
    for (let i = 0; i < 200; i++) {
      env.step(env.schedulerAction());
      if (i === 100) pool.free(0);
    }
    expect(replay).toBe(alone.replay);
    expect(Array.from(ranking.rank([3, 1, 2, 5, 4]).order)).toEqual(alone.ranking);
    expect(env.counters()).toEqual(servingAlone);
    pool.check();
    expect(new Set([engine, pool, env, ranking].map((f) => (f instanceof ServingEnv ? null : exportsOf(f).memory))).size).toBe(4);
  });

  it("outside src/wasm/, nothing touches an instance's raw exports", () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (path.endsWith(".ts") && !path.startsWith(join("src", "wasm"))) {
          const text = readFileSync(path, "utf8");
          if (/\bEngineExports\b|\bexportsOf\b|\binstantiate\(|resetArena/.test(text)) offenders.push(path);
        }
      }
    };
    for (const dir of ["src", "bench", "web"]) walk(dir);
    expect(offenders).toEqual([]);
  });
});

it("the shared boundary files compile in both languages: only enums, no imports", () => {
  for (const file of readdirSync("assembly/abi").filter((f) => f.endsWith(".ts"))) {
    const text = readFileSync(join("assembly/abi", file), "utf8");
    expect(text, file).not.toMatch(/^import /m);
    expect(text, file).not.toMatch(/\b(i32|u32|i64|f64|usize|unchecked|changetype)\b/);
  }
});
