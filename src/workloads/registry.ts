import { KvsimInputError } from "../errors.js";
import { intParam, numberParam, resolveParams, type ParamSpec } from "../params.js";
import type { Trace } from "../traces/trace.js";
import * as khl from "./khl-generators.js";
import { zipf } from "./zipf.js";

export type WorkloadParam = ParamSpec;

export interface WorkloadInfo {
  name: string;
  summary: string;
  params: WorkloadParam[];
  generate(params: Record<string, number>): Trace;
}

const p = (name: string, def: number, description: string, integer = true, min = 1, max?: number): WorkloadParam =>
  (integer ? intParam : numberParam)(name, def, description, min, max);

/**
 * The ranges every generator keeps to, checked before anything is allocated: a trace of at most
 * 2^28 accesses (1 GiB of page ids), 2^24 pages (the engine keeps a record per page), 32-bit seeds.
 */
const MAX_ACCESSES = 2 ** 28;
const MAX_PAGES = 2 ** 24;
const MAX_SEED = 0xffffffff;
const pages = (name: string, def: number) => p(name, def, "number of pages", true, 1, MAX_PAGES);
const length = (def: number) => p("length", def, "number of accesses", true, 1, MAX_ACCESSES);
const seed = (def: number) => p("seed", def, "generator seed", true, 0, MAX_SEED);

/** kv-hierarchy-lab's generator signature: num_pages, length, seed (+ one shape parameter). */
function khlWorkload(
  name: string, summary: string, numPages: number, accesses: number, seedValue: number,
  generate: (params: khl.KhlParams) => Trace, extra: WorkloadParam[] = [],
): WorkloadInfo {
  return {
    name,
    summary,
    params: [pages("num_pages", numPages), length(accesses), seed(seedValue), ...extra],
    generate: (params) => generate(params as unknown as khl.KhlParams),
  };
}

/** Every built-in synthetic workload, registered once. */
export const WORKLOADS: readonly WorkloadInfo[] = [
  khlWorkload("chat_continuation", "a drifting 12-page working set, reads from its newest 8 slots", 64, 256, 7, khl.chatContinuation),
  khlWorkload("rag_burst", "14 hot-set reads then 6 distinct retrieval pages, repeated", 96, 320, 11, khl.ragBurst),
  khlWorkload("periodic_reuse", "a fixed cycle of pages (step mod period) × 3", 80, 320, 13, khl.periodicReuse,
    [p("period", 9, "cycle length", true, 1, MAX_PAGES)]),
  khlWorkload("long_tail_mix", "70% a 10-page hot set, else a 1/rank long tail", 128, 400, 17, khl.longTailMix),
  khlWorkload("prefetch_friendly", "sequential sweeps over all pages", 48, 240, 19, khl.prefetchFriendly),
  khlWorkload("adversarial_prefetch", "alternating random halves of the page space", 64, 256, 23, khl.adversarialPrefetch),
  khlWorkload("adversarial_burst", "anchor bursts interleaved with middle and late scans", 96, 320, 29, khl.adversarialBurst,
    [p("burst_size", 12, "pages per burst", true, 1, MAX_PAGES)]),
  khlWorkload("mixed_locality", "three 60-step phases: small hot set, wider set, strided scan", 112, 360, 31, khl.mixedLocality),
  {
    name: "zipf",
    summary: "independent Zipf(alpha) references over `pages` pages, for scale",
    params: [pages("pages", 100_000), length(1_000_000), p("alpha", 0.99, "skew exponent", false, 0, 100), seed(1),
      p("scalars", 2048, "scalars per page", true, 1, 2 ** 20)],
    generate: (params) => zipf(params as Parameters<typeof zipf>[0]),
  },
];

/** The seven workloads of kv-hierarchy-lab's default sweep, in its order. */
export const KHL_DEFAULT_WORKLOADS = [
  "chat_continuation", "rag_burst", "periodic_reuse", "long_tail_mix", "prefetch_friendly", "adversarial_burst",
  "mixed_locality",
] as const;

export function workloadInfo(name: string): WorkloadInfo {
  const info = WORKLOADS.find((w) => w.name === name);
  if (!info) throw new KvsimInputError(`unknown workload "${name}" (known: ${WORKLOADS.map((w) => w.name).join(", ")})`);
  return info;
}

/** A workload's parameters, user values over defaults (see `resolveParams`). */
export function resolveWorkloadParams(info: WorkloadInfo, params: Record<string, unknown> = {}): Record<string, number> {
  return resolveParams(`workload "${info.name}"`, info.params, params);
}

export function generateWorkload(name: string, params: Record<string, unknown> = {}): Trace {
  const info = workloadInfo(name);
  return info.generate(resolveWorkloadParams(info, params));
}
