import cliProgress from "cli-progress";
import type { SweepProgress } from "../sweep/run-sweep.js";

export interface ProgressReporter {
  update(p: SweepProgress): void;
  stop(): void;
}

const PLAIN_INTERVAL_MS = 2000;

/** A bar with rate and ETA on a terminal; a plain line every 2 s (and at the end) otherwise. */
export function progressReporter(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar({
      stream, format: `${label} {bar} {percentage}% | {value}/{total} runs | {rate} runs/s | {failed} failed | ETA {eta_formatted}`,
      hideCursor: true, etaBuffer: 50,
    }, cliProgress.Presets.shades_classic);
    bar.start(total, 0, { rate: "0", failed: 0 });
    return {
      update: (p) => bar.update(p.done, { rate: (p.done / Math.max(p.elapsedMs / 1000, 1e-3)).toFixed(0), failed: p.failed }),
      stop: () => bar.stop(),
    };
  }
  let last = -Infinity;
  let latest: SweepProgress | undefined;
  const print = (p: SweepProgress) => {
    const rate = p.done / Math.max(p.elapsedMs / 1000, 1e-3);
    const eta = rate > 0 ? (p.total - p.done) / rate : 0;
    stream.write(`${label}: ${p.done}/${p.total} runs, ${rate.toFixed(0)} runs/s, ${p.failed} failed, ETA ${eta.toFixed(0)} s\n`);
    last = p.elapsedMs;
  };
  return {
    update: (p) => {
      latest = p;
      if (p.elapsedMs - last >= PLAIN_INTERVAL_MS || p.done === p.total) print(p);
    },
    stop: () => {
      if (latest && latest.elapsedMs !== last) print(latest);
    },
  };
}

/**
 * A bar for work over several items whose sizes are learnt as it goes (token traces, each of some
 * heads), on a terminal only: `update(item, fraction)` says item `item` (from 0) is `fraction` done.
 */
export function itemsProgress(label: string, items: number, unit: string, stream: NodeJS.WriteStream = process.stderr): { update(item: number, fraction: number): void; stop(): void } | undefined {
  if (!stream.isTTY) return undefined;
  // Percent of the whole, so items of different sizes need no common count.
  const bar = new cliProgress.SingleBar({ stream, format: `${label} {bar} {percentage}% | ${unit} {item}/${items} | ETA {eta_formatted}`, hideCursor: true, etaBuffer: 20 }, cliProgress.Presets.shades_classic);
  bar.start(items * 1000, 0, { item: 1 });
  return { update: (item, fraction) => bar.update(Math.round((item + fraction) * 1000), { item: item + 1 }), stop: () => bar.stop() };
}

/**
 * A bar of requests completed for a long simulation, on a terminal only (a pipe or a log gets no
 * bar: the summary follows soon enough); `update` takes the engine's progress report.
 */
export function requestProgress(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): { update(done: number, clock: number): void; stop(): void } | undefined {
  if (!stream.isTTY) return undefined;
  const bar = new cliProgress.SingleBar({
    stream, format: `${label} {bar} {percentage}% | {value}/{total} requests | simulated {clock} s | ETA {eta_formatted}`, hideCursor: true, etaBuffer: 20,
  }, cliProgress.Presets.shades_classic);
  bar.start(total, 0, { clock: "0" });
  return { update: (done, clock) => bar.update(done, { clock: clock.toFixed(0) }), stop: () => bar.stop() };
}

/** Files smaller than this read in about a second: no bar. */
const BAR_MIN_BYTES = 32 * 2 ** 20;

/**
 * A bar of MiB read for loading a large trace file, on a terminal only (stderr); `onProgress`
 * takes the reader's (bytes read, file size) reports. The bar appears on the first report of a
 * file of 32 MiB or more.
 */
export function readProgress(label: string, stream: NodeJS.WriteStream = process.stderr): { onProgress(read: number, total: number): void; stop(): void } | undefined {
  if (!stream.isTTY) return undefined;
  let bar: cliProgress.SingleBar | undefined;
  const mib = (bytes: number): number => Math.round(bytes / 2 ** 20);
  return {
    onProgress: (read, total) => {
      if (!bar) {
        if (total < BAR_MIN_BYTES) return;
        bar = new cliProgress.SingleBar({ stream, format: `${label} {bar} {percentage}% | {value}/{total} MiB | ETA {eta_formatted}`, hideCursor: true, etaBuffer: 20 },
          cliProgress.Presets.shades_classic);
        bar.start(mib(total), 0);
      }
      bar.update(mib(read));
    },
    stop: () => bar?.stop(),
  };
}
