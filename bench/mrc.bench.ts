/**
 * `npm run bench:mrc`: miss-ratio curves on the engine bench's 10M-access Zipf trace (1M pages),
 * every page one object (--ignore-obj-size). Per round, alternating (the machine's speed drifts):
 * the exact one-pass LRU curve at 100 sizes (1%…100% of the objects, through `missRatioCurves`),
 * one LRU replay at 10% of the objects (`runRecord`, setup included), and SHARDS at R = 0.01 and
 * 0.001 with their errors against the exact curve. Reports medians; writes bench/results/mrc.json.
 */
import { writeFileSync } from "node:fs";
import { missRatioCurves } from "../src/mrc/miss-ratio-curves.js";
import { oneCache } from "../src/mrc/one-cache.js";
import { runRecord } from "../src/run-record.js";
import { withUnitPages } from "../src/traces/trace.js";
import { generateWorkload } from "../src/workloads/registry.js";
import { median } from "./median.js";

const ROUNDS = Number(process.env.KVSIM_BENCH_ROUNDS ?? 5);
const RATES = [0.01, 0.001];
const SIZES = Array.from({ length: 100 }, (_, i) => `${i + 1}%`);

const zipf = generateWorkload("zipf", { pages: 1_000_000, length: 10_000_000, alpha: 0.99, seed: 1, scalars: 2048 });
const curve = (sampleRate?: number) => missRatioCurves({ trace: zipf, policies: ["lru"], sizes: SIZES, ignoreObjectSize: true, sampleRate });
const timed = async <T>(run: () => T | Promise<T>): Promise<{ ms: number; value: T }> => {
  const t0 = performance.now();
  const value = await run();
  return { ms: performance.now() - t0, value };
};

const exact = (await curve()).curves[0]!.points;
const replaySize = Math.floor(exact.at(-1)!.size / 10);
const unit = withUnitPages(zipf);
const replayMisses = runRecord({ scenario: oneCache(replaySize), trace: unit, policy: "lru" }).metrics.misses;
const atReplaySize = exact.find((p) => p.size === replaySize)!;
if (atReplaySize.misses !== replayMisses) throw new Error(`one pass ${atReplaySize.misses} misses at ${replaySize}, the replay ${replayMisses}`);

const curveMs: number[] = [];
const replayMs: number[] = [];
const shardsMs: number[][] = RATES.map(() => []);
const errors = RATES.map(() => ({ mean: 0, max: 0 }));
for (let round = 0; round < ROUNDS; round++) {
  curveMs.push((await timed(curve)).ms);
  replayMs.push((await timed(() => runRecord({ scenario: oneCache(replaySize), trace: unit, policy: "lru" }))).ms);
  for (const [i, rate] of RATES.entries()) {
    const { ms, value } = await timed(() => curve(rate));
    shardsMs[i]!.push(ms);
    const diffs = value.curves[0]!.points.map((p, k) => Math.abs(p.missRatio - exact[k]!.missRatio));
    errors[i] = { mean: diffs.reduce((a, b) => a + b) / diffs.length, max: Math.max(...diffs) };
  }
  console.log(`round ${round + 1}/${ROUNDS}: curve ${curveMs.at(-1)!.toFixed(0)} ms, replay ${replayMs.at(-1)!.toFixed(0)} ms, ` +
    RATES.map((r, i) => `SHARDS ${r} ${shardsMs[i]!.at(-1)!.toFixed(0)} ms`).join(", "));
}

const result = {
  node: process.version,
  trace: { workload: "zipf", pages: 1_000_000, accesses: zipf.accesses.length, objects: exact.at(-1)!.size, alpha: 0.99, seed: 1 },
  rounds: ROUNDS,
  sizes: SIZES.length,
  curveMs: median(curveMs),
  replayMs: median(replayMs),
  replaySize,
  curveOverReplay: median(curveMs.map((c, i) => c / replayMs[i]!)),
  shards: RATES.map((rate, i) => ({ rate, ms: median(shardsMs[i]!), meanAbsoluteError: errors[i]!.mean, maxAbsoluteError: errors[i]!.max })),
};
console.log(`exact LRU curve at ${SIZES.length} sizes: ${result.curveMs.toFixed(0)} ms; one LRU replay at ${replaySize} objects: ${result.replayMs.toFixed(0)} ms; ` +
  `curve ÷ replay ${result.curveOverReplay.toFixed(2)} (medians of ${ROUNDS})`);
for (const s of result.shards) {
  console.log(`SHARDS R = ${s.rate}: ${s.ms.toFixed(0)} ms, miss-ratio error against the exact curve: mean ${s.meanAbsoluteError.toFixed(4)}, max ${s.maxAbsoluteError.toFixed(4)}`);
}
writeFileSync("bench/results/mrc.json", JSON.stringify(result, null, 2) + "\n");
