/**
 * `npm run bench:native`: the bench's LRU (10M-access Zipf(0.99) over 1M pages, ZIPF_BENCH_SCENARIO)
 * written in C (bench/native/lru.c, compiled here with the system's `cc -O2 -march=native`), run
 * without and with a prefetch instruction 16 accesses ahead (WebAssembly has none), alternated
 * with the WASM engine's LRU in one process so that their ratios compare the same moments. It is
 * the ceiling this machine allows the algorithm natively; each round's results must match the
 * engine's (hits, misses, evictions, total latency) or the run fails. Writes
 * bench/results/native.json.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simulate } from "../src/simulate.js";
import { quantizationScheme } from "../src/hierarchy/quantization.js";
import { generateWorkload } from "../src/workloads/registry.js";
import { HierarchyEngine } from "../src/wasm/hierarchy.js";
import { median } from "./median.js";
import { compileNativeLru, runNativeLru, writeNativeTrace } from "./native-lru.js";
import { ZIPF_BENCH_SCENARIO } from "./scenarios.js";

const ROUNDS = 5;
const DISTANCE = 16;
const scenario = ZIPF_BENCH_SCENARIO;
const zipf = generateWorkload("zipf", { pages: 1_000_000, length: 10_000_000, alpha: 0.99, seed: 1, scalars: 2048 });
const n = zipf.accesses.length;
const dir = mkdtempSync(join(tmpdir(), "kvsim-native-"));
try {
  let binary: string;
  try {
    binary = compileNativeLru(dir, ["-march=native"]);
  } catch (error) {
    console.error(`bench:native: cannot compile bench/native/lru.c with cc: ${(error as Error).message.split("\n")[0]}`);
    process.exit(2);
  }
  const tracePath = join(dir, "zipf.kvt");
  writeNativeTrace(zipf, scenario, tracePath);
  const penalty = quantizationScheme(scenario.quantization).decodePenaltyMs;
  // Two replays per process; the second is timed, as the engine's rounds follow a warm-up.
  const native = (distance: number) => runNativeLru(binary, tracePath, scenario, penalty, distance, 2);

  const engine = new HierarchyEngine();
  const rates = { wasm: [] as number[], native: [] as number[], nativePrefetch: [] as number[] };
  for (let round = -1; round < ROUNDS; round++) {
    const run = simulate({ scenario, trace: zipf, policy: "lru", engine });
    const plain = native(0);
    const prefetched = native(DISTANCE);
    for (const r of [plain, prefetched]) {
      const m = run.metrics;
      if (r.hits !== m.hits || r.misses !== m.misses || r.evictions !== m.evictions || r.latency !== m.totalLatencyMs) {
        console.error(`bench:native: the C LRU disagrees with the engine: ${JSON.stringify(r)} vs hits ${m.hits}, misses ${m.misses}, evictions ${m.evictions}, latency ${m.totalLatencyMs}`);
        process.exit(1);
      }
    }
    if (round < 0) continue; // warm-up: V8 tiers the replay up, the page cache holds the trace
    rates.wasm.push(n / (run.replayMs / 1000));
    rates.native.push(plain.rate);
    rates.nativePrefetch.push(prefetched.rate);
    console.log(`round ${round + 1}/${ROUNDS}: wasm ${(rates.wasm.at(-1)! / 1e6).toFixed(2)}M, C ${(plain.rate / 1e6).toFixed(2)}M, ` +
      `C with prefetch ${(prefetched.rate / 1e6).toFixed(2)}M`);
  }
  const ratio = (a: number[], b: number[]) => median(a.map((x, i) => x / b[i]!));
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    scenario: scenario.name,
    rounds: ROUNDS,
    wasmLru: median(rates.wasm),
    cLru: median(rates.native),
    cLruPrefetch: median(rates.nativePrefetch),
    wasmOverC: ratio(rates.wasm, rates.native),
    wasmOverCPrefetch: ratio(rates.wasm, rates.nativePrefetch),
    rates,
  };
  writeFileSync("bench/results/native.json", JSON.stringify(result, null, 2) + "\n");
  console.log(`\nLRU, median of ${ROUNDS} rounds: WASM ${(result.wasmLru / 1e6).toFixed(2)}M, C ${(result.cLru / 1e6).toFixed(2)}M, ` +
    `C with prefetch ${(result.cLruPrefetch / 1e6).toFixed(2)}M; WASM / C ${result.wasmOverC.toFixed(2)}×, ` +
    `WASM / C with prefetch ${result.wasmOverCPrefetch.toFixed(2)}× (per-round ratios)\nwrote bench/results/native.json`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
