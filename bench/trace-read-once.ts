/**
 * One timed read of a trace file in a fresh process (bench/traces.bench.ts spawns it), so that the
 * process's peak RSS is this read's: prints {seconds, rows, peakRssDeltaBytes, heapDeltaBytes}.
 */
import { readTrace } from "../src/traces/load.js";
import { peakRssBytes } from "./peak-rss.js";

const file = process.argv[2]!;
const rssBefore = process.memoryUsage().rss;
const heapBefore = process.memoryUsage().heapUsed;
const t0 = performance.now();
const trace = await readTrace(file);
const seconds = (performance.now() - t0) / 1000;
const heapAfter = process.memoryUsage().heapUsed;
console.log(JSON.stringify({
  seconds, rows: trace.accesses.length, pages: trace.numPages,
  peakRssDeltaBytes: peakRssBytes() - rssBefore, heapDeltaBytes: heapAfter - heapBefore,
}));
