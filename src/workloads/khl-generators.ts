import { PythonRandom } from "./python-random.js";
import type { Trace } from "../traces/trace.js";

/**
 * kv-hierarchy-lab's eight synthetic workloads (`workloads/synthetic.py`), same parameters, same
 * draw order, same Python RNG: with default parameters they reproduce its exported traces exactly.
 */

/** Page i: `base + randint(-64, 64)` scalars from its own Random(seed), in index order. */
function pageScalars(numPages: number, base: number, seed: number): Int32Array {
  const rng = new PythonRandom(seed);
  return Int32Array.from({ length: numPages }, () => Math.max(1, base + rng.randint(-64, 64)));
}

function bundle(name: string, numPages: number, base: number, seed: number, accesses: number[]): Trace {
  return {
    name,
    numPages,
    accesses: Int32Array.from(accesses),
    pageScalars: pageScalars(numPages, base, seed),
    pageIds: Array.from({ length: numPages }, (_, i) => `page-${i}`),
  };
}

const range = (from: number, to: number): number[] => Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);

export interface KhlParams {
  num_pages: number;
  length: number;
  seed: number;
  period?: number;
  burst_size?: number;
}

export function chatContinuation({ num_pages: n, length, seed }: KhlParams): Trace {
  const rng = new PythonRandom(seed);
  const ws = range(0, Math.min(12, n));
  const out: number[] = [];
  for (let step = 0; step < length; step++) {
    if (step % 17 === 0) {
      const page = rng.randrange(n);
      ws[rng.randrange(ws.length)] = page;
    }
    out.push(rng.choice(ws.slice(-8)));
  }
  return bundle("chat_continuation", n, 2048, seed, out);
}

export function ragBurst({ num_pages: n, length, seed }: KhlParams): Trace {
  const rng = new PythonRandom(seed);
  const hot = range(0, 16);
  const retrieval = range(16, n);
  const out: number[] = [];
  for (let r = 0; r < Math.floor(length / 20); r++) {
    out.push(...rng.choices(hot, 14));
    out.push(...rng.sample(retrieval, 6));
  }
  return bundle("rag_burst", n, 2304, seed, out.slice(0, length));
}

export function periodicReuse({ num_pages: n, length, seed, period = 9 }: KhlParams): Trace {
  return bundle("periodic_reuse", n, 2048, seed, range(0, length).map((s) => ((s % period) * 3) % n));
}

export function longTailMix({ num_pages: n, length, seed }: KhlParams): Trace {
  const rng = new PythonRandom(seed);
  const hot = range(0, 10);
  const tail = range(10, n);
  const weights = tail.map((_, rank) => 1 / (rank + 1));
  const out: number[] = [];
  for (let s = 0; s < length; s++) {
    out.push(rng.random() < 0.7 ? rng.choice(hot) : rng.weightedChoices(tail, weights, 1)[0]!);
  }
  return bundle("long_tail_mix", n, 2048, seed, out);
}

export function prefetchFriendly({ num_pages: n, length, seed }: KhlParams): Trace {
  return bundle("prefetch_friendly", n, 2048, seed, range(0, length).map((s) => s % n));
}

export function adversarialPrefetch({ num_pages: n, length, seed }: KhlParams): Trace {
  const rng = new PythonRandom(seed);
  const half = Math.floor(n / 2);
  const out = range(0, length).map((s) => (s % 2 === 0 ? rng.randrange(0, half) : rng.randrange(half, n)));
  return bundle("adversarial_prefetch", n, 2048, seed, out);
}

export function adversarialBurst({ num_pages: n, length, seed, burst_size: b = 12 }: KhlParams): Trace {
  const rng = new PythonRandom(seed);
  const early = range(0, Math.floor(n / 3));
  const middle = range(Math.floor(n / 3), Math.floor((2 * n) / 3));
  const late = range(Math.floor((2 * n) / 3), n);
  const out: number[] = [];
  while (out.length < length) {
    const anchor = rng.sample(early, Math.min(b, early.length));
    out.push(...anchor);
    out.push(...rng.sample(middle, Math.min(b, middle.length)));
    out.push(...anchor.slice(0, Math.max(1, Math.min(Math.floor(b / 2), anchor.length))));
    out.push(...rng.sample(late, Math.min(b, late.length)));
  }
  return bundle("adversarial_burst", n, 2112, seed, out.slice(0, length));
}

export function mixedLocality({ num_pages: n, length, seed }: KhlParams): Trace {
  const rng = new PythonRandom(seed);
  const head = range(0, 12);
  const tail = range(12, n).slice(0, 20);
  const out: number[] = [];
  for (let s = 0; s < length; s++) {
    const phase = Math.floor(s / 60) % 3;
    out.push(phase === 0 ? rng.choice(head) : phase === 1 ? rng.choice(tail) : (5 * s) % n);
  }
  return bundle("mixed_locality", n, 2176, seed, out);
}
