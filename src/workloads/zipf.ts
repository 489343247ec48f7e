import { PythonRandom } from "./python-random.js";
import type { Trace } from "../traces/trace.js";

/**
 * Independent Zipf(alpha) page references: page i (rank i) is drawn with probability ∝ 1/(i+1)^alpha.
 * Walker's alias method (Vose's construction) gives O(1) draws, so 10M-access traces over 1M
 * pages take about a second to build.
 */
export function zipf({ pages, length, alpha, seed, scalars }: {
  pages: number; length: number; alpha: number; seed: number; scalars: number;
}): Trace {
  const weights = new Float64Array(pages);
  let total = 0;
  for (let i = 0; i < pages; i++) total += weights[i] = 1 / Math.pow(i + 1, alpha);
  const prob = new Float64Array(pages);
  const alias = new Int32Array(pages);
  const small: number[] = [];
  const large: number[] = [];
  for (let i = 0; i < pages; i++) {
    prob[i] = (weights[i]! * pages) / total;
    (prob[i]! < 1 ? small : large).push(i);
  }
  while (small.length && large.length) {
    const s = small.pop()!;
    const l = large.pop()!;
    alias[s] = l;
    prob[l] = prob[l]! + prob[s]! - 1;
    (prob[l]! < 1 ? small : large).push(l);
  }
  for (const i of [...small, ...large]) prob[i] = 1;

  const rng = new PythonRandom(seed);
  const accesses = new Int32Array(length);
  for (let k = 0; k < length; k++) {
    const u = rng.random() * pages;
    const i = Math.floor(u);
    accesses[k] = u - i < prob[i]! ? i : alias[i]!;
  }
  return { name: "zipf", numPages: pages, accesses, pageScalars: new Int32Array(pages).fill(scalars) };
}
