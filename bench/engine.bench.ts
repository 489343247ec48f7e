/**
 * `npm run bench`: replay throughput of every policy (kvsim profile) on a 10M-access Zipf trace
 * over 1M pages with four tiers (64K-page tier 0), the same LRU in plain TypeScript, and
 * kv-hierarchy-lab's own big case. Writes bench/results/engine.json (engine-<names>.json when run
 * as `npm run bench -- lru,fifo`) and benny's raw results. Each figure is the median of several
 * runs in this one process; the WASM/TypeScript LRU ratio is also measured with the two alternated.
 */
import { writeFileSync } from "node:fs";
import b from "benny";
import { simulate, pageBytes } from "../src/simulate.js";
import { SCENARIO_PRESETS } from "../src/hierarchy/presets.js";
import type { Scenario } from "../src/hierarchy/scenario.js";
import { POLICIES, type Profile } from "../src/policies/registry.js";
import type { Trace } from "../src/traces/trace.js";
import { generateWorkload } from "../src/workloads/registry.js";
import { instantiateEngine } from "../src/wasm/engine-module.js";
import { tsLruReplay } from "./ts-lru.js";
import { median } from "./median.js";
import { tier, ZIPF_BENCH_SCENARIO } from "./scenarios.js";

interface Row {
  case: string;
  accesses: number;
  /** Median replay-only rate (accesses/s), from the engine's own timer. */
  replayAccessesPerSecond: number;
  /** Accesses per second of the whole call (setup + copy + replay), from benny's mean time. */
  endToEndAccessesPerSecond: number;
  runs: number;
  hitRate?: number;
}

const engine = instantiateEngine();
const rows: Row[] = [];

async function measure(name: string, accesses: number, once: () => { replayMs: number; hitRate?: number }): Promise<void> {
  const replay: number[] = [];
  let hitRate: number | undefined;
  const summary = await b.suite(
    name,
    b.add(name, () => {
      const r = once();
      replay.push(accesses / (r.replayMs / 1000));
      hitRate = r.hitRate;
    }),
    b.configure({ cases: { minSamples: 3, maxTime: 0, initCount: 1 } }),
    b.save({ file: name.replace(/[^a-z0-9]+/gi, "_"), folder: "bench/results/benny", format: "json" }),
  );
  const result = summary.results[0]!;
  rows.push({ case: name, accesses, replayAccessesPerSecond: median(replay), endToEndAccessesPerSecond: accesses / result.details.mean,
    runs: replay.length, hitRate });
  console.log(`${name}: replay ${(median(replay) / 1e6).toFixed(2)}M accesses/s (median of ${replay.length})`);
}

function simulateCase(scenario: Scenario, trace: Trace, policy: string, profile: Profile) {
  return () => {
    const { metrics, replayMs } = simulate({ scenario, trace, policy, profile, engine });
    return { replayMs, hitRate: metrics.hitRate };
  };
}

const only = process.argv[2]?.split(",");
const INTERLEAVED_ROUNDS = 7;
const zipf = generateWorkload("zipf", { pages: 1_000_000, length: 10_000_000, alpha: 0.99, seed: 1, scalars: 2048 });
const n = zipf.accesses.length;

// The memory budget is for the 10M-access run itself: generation plus the LRU replays
// (lru is the registry's first policy), read before later cases add their own allocations.
let rssAfterLruBytes: number | undefined;
for (const p of POLICIES) {
  if (only && !only.includes(p.name)) continue;
  await measure(`zipf10M/${p.name}`, n, simulateCase(ZIPF_BENCH_SCENARIO, zipf, p.name, "kvsim"));
  if (p.name === "lru") rssAfterLruBytes = process.resourceUsage().maxRSS * 1024;
}
// With prefetch off (the scenario above) predictive keeps no transition counts: nothing would
// read them. This row is the policy with its prefetcher at work (2 candidates per access).
if (!only || only.includes("predictive")) {
  const withPrefetch: Scenario = { ...ZIPF_BENCH_SCENARIO, name: "zipf_bench_4tier_prefetch", prefetch: { enabled: true, maxCandidates: 2 } };
  await measure("zipf10M/predictive/prefetch", n, simulateCase(withPrefetch, zipf, "predictive", "kvsim"));
}
// The WASM and TypeScript LRU also run alternately, one of each per round: each round's ratio
// compares the two at the same moment, which separate suites minutes apart on this machine do not.
let interleaved: { rounds: number; wasmLru: number; typescriptLru: number; ratio: number; ratioMin: number; ratioMax: number } | undefined;
if (!only || only.includes("lru")) {
  const sizes = pageBytes(zipf, ZIPF_BENCH_SCENARIO);
  const tsOnce = () => {
    const t0 = performance.now();
    const r = tsLruReplay(ZIPF_BENCH_SCENARIO, sizes, zipf.accesses);
    return { replayMs: performance.now() - t0, hitRate: r.hits / n };
  };
  await measure("zipf10M/lru-typescript", n, tsOnce);
  const wasmOnce = simulateCase(ZIPF_BENCH_SCENARIO, zipf, "lru", "kvsim");
  const pairs = Array.from({ length: INTERLEAVED_ROUNDS }, () => ({ wasm: n / (wasmOnce().replayMs / 1000), ts: n / (tsOnce().replayMs / 1000) }));
  const ratios = pairs.map((p) => p.wasm / p.ts);
  interleaved = { rounds: pairs.length, wasmLru: median(pairs.map((p) => p.wasm)), typescriptLru: median(pairs.map((p) => p.ts)),
    ratio: median(ratios), ratioMin: Math.min(...ratios), ratioMax: Math.max(...ratios) };
  console.log(`interleaved WASM / TypeScript LRU over ${pairs.length} rounds: median ratio ${interleaved.ratio.toFixed(2)}× (${interleaved.ratioMin.toFixed(2)}–${interleaved.ratioMax.toFixed(2)}×)`);
  // kv-hierarchy-lab's big case: 1,024 pages, 100,000-access rag_burst, small scenario (÷2).
  const rag = generateWorkload("rag_burst", { num_pages: 1024, length: 100_000 });
  for (const profile of ["khl", "kvsim"] as const) {
    await measure(`khl-big-rag_burst/lru/${profile}`, rag.accesses.length,
      simulateCase(SCENARIO_PRESETS.small_fp16_prefetch!, rag, "lru", profile));
  }
}

// The floor under any policy: one tier that holds all 1M pages, so the replay is pure lookups,
// counters and cold inserts with no eviction at all. fifo does nothing on a hit; lru also
// relinks the page. No 4-tier run can be faster than these.
if (!only || only.includes("ceiling")) {
  const allFit: Scenario = { ...ZIPF_BENCH_SCENARIO, name: "zipf_bench_one_tier_all_fit", tiers: [tier("hbm", 1_000_000, 0.02, 0.02, 80_000)] };
  for (const policy of ["fifo", "lru"]) {
    await measure(`zipf10M/${policy}/one-tier-no-evictions`, n, simulateCase(allFit, zipf, policy, "kvsim"));
  }
}

const rate = (name: string): number | undefined => rows.find((r) => r.case === name)?.replayAccessesPerSecond;
const wasmLru = rate("zipf10M/lru");
const tsLru = rate("zipf10M/lru-typescript");
const khlBig = rate("khl-big-rag_burst/lru/khl");
const PYTHON_KHL_LRU = 8976; // kv-hierarchy-lab's measured throughput on the big case (its spec)
const out = {
  date: new Date().toISOString(),
  node: process.version,
  scenario: ZIPF_BENCH_SCENARIO.name,
  rows,
  ratios: {
    wasmOverTypescriptLru: wasmLru && tsLru ? wasmLru / tsLru : undefined,
    /** Median of per-round ratios with the two replays alternated (see `interleaved`). */
    wasmOverTypescriptLruInterleaved: interleaved?.ratio,
    khlBigCaseOverPython: khlBig ? khlBig / PYTHON_KHL_LRU : undefined,
    kvsimBigCaseOverPython: rate("khl-big-rag_burst/lru/kvsim") ? rate("khl-big-rag_burst/lru/kvsim")! / PYTHON_KHL_LRU : undefined,
  },
  interleaved,
  peakRssBytes: process.resourceUsage().maxRSS * 1024,
  peakRssAfterLruRunBytes: rssAfterLruBytes,
};
const resultFile = only ? `bench/results/engine-${only.join("-")}.json` : "bench/results/engine.json";
writeFileSync(resultFile, JSON.stringify(out, null, 2) + "\n");
console.log("\n| case | replay accesses/s (median) | end-to-end accesses/s | hit rate |\n|---|---:|---:|---:|");
for (const r of rows) {
  console.log(`| ${r.case} | ${(r.replayAccessesPerSecond / 1e6).toFixed(2)}M | ${(r.endToEndAccessesPerSecond / 1e6).toFixed(2)}M | ${r.hitRate?.toFixed(4) ?? ""} |`);
}
console.log(`\nWASM / TypeScript LRU: ${out.ratios.wasmOverTypescriptLru?.toFixed(2)}× (interleaved: ${interleaved?.ratio.toFixed(2) ?? "–"}×); big case vs Python: khl ${out.ratios.khlBigCaseOverPython?.toFixed(0)}×, kvsim ${out.ratios.kvsimBigCaseOverPython?.toFixed(0)}×; peak RSS ${(out.peakRssBytes / 1e6).toFixed(0)} MB (${rssAfterLruBytes ? (rssAfterLruBytes / 1e6).toFixed(0) : "–"} MB after the LRU run)`);
console.log(`wrote ${resultFile}`);
