/**
 * `npm run bench`: replay throughput of every policy (kvsim profile) on a 10M-access Zipf trace
 * over 1M pages with four tiers (64K-page tier 0), the same LRU in plain TypeScript, and
 * kv-hierarchy-lab's own big case. Writes bench/results/engine.json (engine-<names>.json when run
 * as `npm run bench -- lru,fifo`) and benny's raw results for the single cases.
 *
 * The policy table is measured round-robin: each round replays every policy once (the TypeScript
 * LRU right after the WASM one), after one untimed warm-up round, and each figure is the median
 * over the rounds. This machine's speed moves ~2× within minutes; a suite that samples one policy
 * at a time puts a whole fast or slow spell on a few policies, where rounds spread it over all of
 * them, so the table's ratios compare policies at the same moments.
 */
import { writeFileSync } from "node:fs";
import b from "benny";
import { simulate, pageBytes } from "../src/simulate.js";
import { SCENARIO_PRESETS } from "../src/hierarchy/presets.js";
import type { Scenario } from "../src/hierarchy/scenario.js";
import { POLICIES, type Profile } from "../src/policies/registry.js";
import type { Trace } from "../src/traces/trace.js";
import { generateWorkload } from "../src/workloads/registry.js";
import { HierarchyEngine } from "../src/wasm/hierarchy.js";
import { tsLruReplay } from "./ts-lru.js";
import { median } from "./median.js";
import { tier, ZIPF_BENCH_SCENARIO } from "./scenarios.js";

interface Row {
  case: string;
  accesses: number;
  /** Median replay-only rate (accesses/s), from the engine's own timer. */
  replayAccessesPerSecond: number;
  /** Lowest and highest replay-only rate over the runs. */
  replayMin?: number;
  replayMax?: number;
  /** Accesses per second of the whole call (setup + copy + replay). */
  endToEndAccessesPerSecond: number;
  runs: number;
  hitRate?: number;
}

type Once = () => { replayMs: number; hitRate?: number };

const engine = new HierarchyEngine();
const rows: Row[] = [];

/** One case timed by benny on its own (cases outside the round-robin table). */
async function measure(name: string, accesses: number, once: Once): Promise<void> {
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

interface RoundRobinCase { name: string; once: Once; replay: number[]; endToEnd: number[]; hitRate?: number }

/** Runs every case once per round, after an untimed warm-up round, and adds each case's row. */
function roundRobin(cases: RoundRobinCase[], rounds: number, accesses: number, afterFirst: (name: string) => void): void {
  for (let round = -1; round < rounds; round++) {
    for (const c of cases) {
      const t0 = performance.now();
      const r = c.once();
      const total = performance.now() - t0;
      if (round < 0) {
        afterFirst(c.name);
        continue;
      }
      c.replay.push(accesses / (r.replayMs / 1000));
      c.endToEnd.push(accesses / (total / 1000));
      c.hitRate = r.hitRate;
    }
    if (round >= 0) console.log(`round ${round + 1}/${rounds}: ${cases.map((c) => `${c.name.replace("zipf10M/", "")} ${(c.replay.at(-1)! / 1e6).toFixed(2)}M`).join(", ")}`);
  }
  for (const c of cases) {
    rows.push({ case: c.name, accesses, replayAccessesPerSecond: median(c.replay), replayMin: Math.min(...c.replay), replayMax: Math.max(...c.replay),
      endToEndAccessesPerSecond: median(c.endToEnd), runs: c.replay.length, hitRate: c.hitRate });
  }
}

function simulateCase(scenario: Scenario, trace: Trace, policy: string, profile: Profile) {
  return () => {
    const { metrics, replayMs } = simulate({ scenario, trace, policy, profile, engine });
    return { replayMs, hitRate: metrics.hitRate };
  };
}

const only = process.argv[2]?.split(",");
const ROUNDS = 5;
const zipf = generateWorkload("zipf", { pages: 1_000_000, length: 10_000_000, alpha: 0.99, seed: 1, scalars: 2048 });
const n = zipf.accesses.length;

const table: RoundRobinCase[] = [];
const addCase = (name: string, once: Once) => table.push({ name, once, replay: [], endToEnd: [] });
const sizes = pageBytes(zipf, ZIPF_BENCH_SCENARIO);
const tsLruOnce: Once = () => {
  const t0 = performance.now();
  const r = tsLruReplay(ZIPF_BENCH_SCENARIO, sizes, zipf.accesses);
  return { replayMs: performance.now() - t0, hitRate: r.hits / n };
};
for (const p of POLICIES) {
  if (only && !only.includes(p.name)) continue;
  addCase(`zipf10M/${p.name}`, simulateCase(ZIPF_BENCH_SCENARIO, zipf, p.name, "kvsim"));
  // Right after the WASM LRU, so that each round's ratio compares the two at the same moment.
  if (p.name === "lru") addCase("zipf10M/lru-typescript", tsLruOnce);
}
// With prefetch off (the scenario above) predictive keeps no transition counts: nothing would
// read them. This row is the policy with its prefetcher at work (2 candidates per access).
if (!only || only.includes("predictive")) {
  const withPrefetch: Scenario = { ...ZIPF_BENCH_SCENARIO, name: "zipf_bench_4tier_prefetch", prefetch: { enabled: true, maxCandidates: 2 } };
  addCase("zipf10M/predictive/prefetch", simulateCase(withPrefetch, zipf, "predictive", "kvsim"));
}
// The issue's memory budget is for the 10M-access run itself: generation plus the first LRU
// replay (lru is the registry's first policy), read before later cases add their own allocations.
let rssAfterLruBytes: number | undefined;
roundRobin(table, ROUNDS, n, (name) => {
  if (name === "zipf10M/lru") rssAfterLruBytes = process.resourceUsage().maxRSS * 1024;
});

let lruPairs: { rounds: number; wasmLru: number; typescriptLru: number; ratio: number; ratioMin: number; ratioMax: number } | undefined;
const wasmCase = table.find((c) => c.name === "zipf10M/lru");
const tsCase = table.find((c) => c.name === "zipf10M/lru-typescript");
if (wasmCase && tsCase) {
  const ratios = wasmCase.replay.map((w, i) => w / tsCase.replay[i]!);
  lruPairs = { rounds: ratios.length, wasmLru: median(wasmCase.replay), typescriptLru: median(tsCase.replay),
    ratio: median(ratios), ratioMin: Math.min(...ratios), ratioMax: Math.max(...ratios) };
  console.log(`WASM / TypeScript LRU, per round: median ratio ${lruPairs.ratio.toFixed(2)}× (${lruPairs.ratioMin.toFixed(2)}–${lruPairs.ratioMax.toFixed(2)}×)`);
}
if (!only || only.includes("lru")) {
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
const khlBig = rate("khl-big-rag_burst/lru/khl");
const PYTHON_KHL_LRU = 8976; // kv-hierarchy-lab's measured throughput on the big case (its spec)
const out = {
  date: new Date().toISOString(),
  node: process.version,
  scenario: ZIPF_BENCH_SCENARIO.name,
  rows,
  rounds: ROUNDS,
  ratios: {
    /** Median of the per-round ratios (the two replays run back to back in each round). */
    wasmOverTypescriptLru: lruPairs?.ratio,
    khlBigCaseOverPython: khlBig ? khlBig / PYTHON_KHL_LRU : undefined,
    kvsimBigCaseOverPython: rate("khl-big-rag_burst/lru/kvsim") ? rate("khl-big-rag_burst/lru/kvsim")! / PYTHON_KHL_LRU : undefined,
  },
  lruPairs,
  peakRssBytes: process.resourceUsage().maxRSS * 1024,
  peakRssAfterLruRunBytes: rssAfterLruBytes,
};
const resultFile = only ? `bench/results/engine-${only.join("-")}.json` : "bench/results/engine.json";
writeFileSync(resultFile, JSON.stringify(out, null, 2) + "\n");
const millions = (x: number | undefined) => (x === undefined ? "" : `${(x / 1e6).toFixed(2)}M`);
console.log("\n| case | replay accesses/s (median) | lowest – highest | end-to-end accesses/s | hit rate |\n|---|---:|---:|---:|---:|");
for (const r of rows) {
  const spread = r.replayMin === undefined ? "" : `${millions(r.replayMin)} – ${millions(r.replayMax)}`;
  console.log(`| ${r.case} | ${millions(r.replayAccessesPerSecond)} | ${spread} | ${millions(r.endToEndAccessesPerSecond)} | ${r.hitRate?.toFixed(4) ?? ""} |`);
}
console.log(`\nWASM / TypeScript LRU: ${out.ratios.wasmOverTypescriptLru?.toFixed(2) ?? "–"}× (median of per-round ratios); big case vs Python: khl ${out.ratios.khlBigCaseOverPython?.toFixed(0)}×, kvsim ${out.ratios.kvsimBigCaseOverPython?.toFixed(0)}×; peak RSS ${(out.peakRssBytes / 1e6).toFixed(0)} MB (${rssAfterLruBytes ? (rssAfterLruBytes / 1e6).toFixed(0) : "–"} MB after the LRU run)`);
console.log(`wrote ${resultFile}`);
