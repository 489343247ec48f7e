import * as z from "zod/mini";
import { validate } from "../../json-file.js";
import { MAX_KV_BLOCKS } from "../deployment.js";
import { MAX_INSTANCES } from "../fleet.js";
import { SESSION_AFFINITIES } from "../routers/session-affinity.js";
import { DISK_LINK_NAMES } from "../disk-tier.js";
import { SCHEDULERS } from "../simulate.js";
import { SERVING_TRACE_FORMATS } from "../trace-formats.js";

const name = z.string().check(z.minLength(1));
const label = z.string().check(z.minLength(1), z.regex(/^[^/\n]+$/, "labels may not contain '/' or newlines"));
const positive = z.number().check(z.positive());
const count = z.int().check(z.gte(1));

/** A synthetic workload: a spec file (docs/formats.md), or one inline with a label. */
const workloadEntry = z.union([
  name,
  z.strictObject({ workload: name, label: z.optional(label) }),
  z.strictObject({ spec: z.record(z.string(), z.unknown()), label: label }),
  z.strictObject({ trace: name, format: z.optional(z.enum(SERVING_TRACE_FORMATS)), label: z.optional(label) }),
]);

const deploymentEntry = z.strictObject({
  model: name,
  gpu: name,
  tp: z.optional(count),
  gpuMemoryUtilization: z.optional(z.number().check(z.positive(), z.lte(1))),
  label: z.optional(label),
});

const schedulerEntry = z.union([
  z.enum(SCHEDULERS as ["vllm", "vidur-vllm", "sarathi"]),
  z.strictObject({
    name: z.enum(SCHEDULERS as ["vllm", "vidur-vllm", "sarathi"]),
    maxNumSeqs: z.optional(count),
    maxBatchedTokens: z.optional(count),
    chunkSize: z.optional(count),
    watermarkFraction: z.optional(z.number().check(z.gte(0), z.lt(1))),
    blockSize: z.optional(count),
    prefixCaching: z.optional(z.boolean()),
    eviction: z.optional(name),
    /** vllm: a host tier of this many blocks below the GPU, filled and read as `hostTier` says (docs/model.md). */
    hostBlocks: z.optional(z.int().check(z.gte(1), z.lte(MAX_KV_BLOCKS))),
    offload: z.optional(z.enum(["write-back", "write-through"])),
    loadOverlap: z.optional(z.enum(["none", "layerwise"])),
    preemption: z.optional(z.enum(["recompute", "swap"])),
    /** Load a prefix found in the host always, or only if estimated faster than computing it. */
    hostLoad: z.optional(z.enum(["always", "if-faster"])),
    /** The host tier's eviction policy (default: `eviction`). */
    hostEviction: z.optional(name),
    /** A preset (pcie4, pcie5) or GB/s each way. */
    hostLink: z.optional(z.union([z.enum(["pcie4", "pcie5"]), z.number().check(z.positive(), z.lte(10_000))])),
    /** vllm with hostBlocks: a disk tier of this many blocks below the host tier (docs/model.md). */
    diskBlocks: z.optional(z.int().check(z.gte(1), z.lte(MAX_KV_BLOCKS))),
    /** A preset (nvme4, nvme5, rdma100, rdma400) or GB/s each way. */
    diskLink: z.optional(z.union([z.enum(DISK_LINK_NAMES as [string, ...string[]]), z.number().check(z.positive(), z.lte(10_000))])),
    diskOffload: z.optional(z.enum(["write-back", "write-through"])),
    /** The disk tier's eviction policy (default: the host tier's). */
    diskEviction: z.optional(name),
    /** With instances: one disk tier of diskBlocks blocks the fleet's instances share (docs/model.md). */
    diskShared: z.optional(z.boolean()),
    /** vllm: what the pool caches and shares (`SimulateServingOptions.cacheModel`). */
    cacheModel: z.optional(z.enum(["vllm", "replay"])),
    label: z.optional(label),
  }),
]);

/**
 * A sweep of timed serving runs (`"kind": "serving"`): the cross product seeds × workloads ×
 * deployments × schedulers × QPS × KV cache sizes × instances × routers × session affinities, in
 * that nesting order. Paths are relative to
 * the spec file. See docs/sweeps.md.
 */
export const servingSweepSpecSchema = z.strictObject({
  name: name,
  description: z.optional(z.string()),
  kind: z.literal("serving"),
  workloads: z.array(workloadEntry).check(z.minLength(1)),
  deployments: z.array(deploymentEntry).check(z.minLength(1)),
  schedulers: z.array(schedulerEntry).check(z.minLength(1)),
  /** `roofline` (default) or a directory of Vidur-format tables, for every run. */
  timeModel: z.optional(name),
  /** Arrival rates: a workload's arrival process at each, a trace's arrivals scaled to each. Absent: as given. */
  qps: z.optional(z.array(positive).check(z.minLength(1))),
  /** KV cache sizes in blocks. Absent: each deployment's memory plan. */
  kvBlocks: z.optional(z.array(z.int().check(z.gte(1), z.lte(MAX_KV_BLOCKS))).check(z.minLength(1))),
  /** Goodput's SLOs. */
  slo: z.optional(z.strictObject({ ttftMs: z.optional(positive), tpotMs: z.optional(positive) })),
  /** Each seed draws the synthetic workloads afresh (traces do not change). Absent: seed 0. */
  seeds: z.optional(z.array(z.int().check(z.gte(0), z.lte(0xffffffff))).check(z.minLength(1))),
  /** Fleets of this many instances of each deployment behind a router (docs/timed.md). Absent: one instance, no router. */
  instances: z.optional(z.array(z.int().check(z.gte(1), z.lte(MAX_INSTANCES))).check(z.minLength(1))),
  /** With `instances`: the routers (routers/registry.ts) each fleet runs behind. Absent: round-robin. */
  routers: z.optional(z.array(name).check(z.minLength(1))),
  /** With `instances`: how a session's requests are routed, `free` or `pinned`. Absent: free. */
  sessionAffinity: z.optional(z.array(z.enum(SESSION_AFFINITIES)).check(z.minLength(1))),
});

export type ServingSweepSpec = z.output<typeof servingSweepSpecSchema>;
export type ServingSweepSpecInput = z.input<typeof servingSweepSpecSchema>;

/** Whether a parsed spec file asks for serving runs (else it is a page-hierarchy sweep). */
export const isServingSweep = (value: unknown): boolean =>
  typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "serving";

export function parseServingSweepSpec(value: unknown, source: string): ServingSweepSpec {
  return validate(servingSweepSpecSchema, value, source);
}
