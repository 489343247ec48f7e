import { KvsimInputError } from "../../errors.js";
import type { SpecOrigin } from "../../sweep/plan.js";
import { sha256Hex } from "../../util/sha256.js";
import { blockEviction } from "../../wasm/block-eviction.js";
import { gpuPreset } from "../gpus.js";
import { modelPreset, type ModelSpec } from "../models.js";
import type { ProfileTables } from "../profile-tables.js";
import type { ServingRequest } from "../requests.js";
import { hostLinkOf, type HostLinkName, type HostTierOptions } from "../host-tier.js";
import { diskLinkOf, type DiskLinkName } from "../disk-tier.js";
import { routerEntry } from "../routers/registry.js";
import type { SessionAffinity } from "../routers/session-affinity.js";
import { checkFleetFuture } from "../reads-future.js";
import { servingKvBlocks } from "../simulate.js";
import type { ServingTraceFormat } from "../trace-formats.js";
import { syntheticStream, type SyntheticWorkloadInput } from "../workloads.js";
import type { ServingJob } from "./job.js";
import type { ServingSweepSpec } from "./spec.js";

/** A row's fleet: present only in a sweep with `instances`, so that other sweeps' rows keep their bytes. */
export interface FleetCell {
  instances?: number;
  router?: string;
  sessionAffinity?: SessionAffinity;
}

/** One run of a serving sweep. */
export interface ServingSweepRow extends FleetCell {
  /** Position in the sweep order (seed → workload → deployment → scheduler → QPS → KV blocks → instances → router → session affinity). */
  index: number;
  /**
   * `workload/deployment/scheduler/qps=…/kv=…/seed`, with a fleet `…/kv=…/instances=…/router=…/sessionAffinity=…/seed`:
   * unique and stable, what a resume matches on.
   */
  key: string;
  workload: string;
  deployment: string;
  scheduler: string;
  qps: number | null;
  kvBlocks: number | null;
  seed: number | null;
  job: ServingJob;
}

export interface ServingSweepPlan {
  name: string;
  /** sha256 of the resolved spec (files read, presets expanded, traces' requests included). */
  specHash: string;
  rows: ServingSweepRow[];
  /** The profile tables the rows' `tables` key names, read once. */
  tables: Map<string, ProfileTables>;
}

/**
 * Where the files a serving spec names come from: the file system in Node (`plan-files.ts`), the
 * files given to a page in the browser. Planning itself touches neither, so it runs in both.
 */
export interface ServingSweepSources {
  /** A workload spec file's JSON. */
  workload(path: string, origin: SpecOrigin): unknown;
  trace(path: string, format: ServingTraceFormat | "auto", origin: SpecOrigin): ServingRequest[];
  /** A directory of Vidur-format tables; `key` names it in the jobs (a worker reads it again by it, in Node). */
  tables(path: string, origin: SpecOrigin): Promise<{ key: string; tables: ProfileTables }>;
  /** A Hugging Face config.json a deployment names. */
  modelConfig(path: string, origin: SpecOrigin): ModelSpec;
}

/** An input error prefixed with the spec field it concerns. */
function at<T>(origin: SpecOrigin, path: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw err instanceof KvsimInputError ? new KvsimInputError(`${origin.source}: ${path}: ${err.message}`) : err;
  }
}

/** A scheduler entry's host tier, and the disk tier below it. */
type HostTierEntry = Pick<HostTierOptions, "offload" | "loadOverlap" | "preemption"> & {
  hostLink?: HostLinkName | number; hostLoad?: HostTierOptions["load"]; hostEviction?: string;
  diskBlocks?: number; diskLink?: string | number; diskOffload?: "write-back" | "write-through"; diskEviction?: string; diskShared?: boolean;
};
const hostTierOf = (blocks: number, { offload, hostLink, loadOverlap, preemption, hostLoad, hostEviction, diskBlocks, diskLink, diskOffload, diskEviction, diskShared }: HostTierEntry): HostTierOptions => ({
  blocks, ...(offload ? { offload } : {}), ...(hostLink === undefined ? {} : { link: hostLinkOf(hostLink) }), ...(loadOverlap ? { loadOverlap } : {}),
  ...(preemption ? { preemption } : {}), ...(hostLoad ? { load: hostLoad } : {}), ...(hostEviction ? { eviction: hostEviction } : {}),
  ...(diskBlocks === undefined ? {} : {
    disk: {
      blocks: diskBlocks, ...(diskLink === undefined ? {} : { link: diskLinkOf(diskLink as DiskLinkName | number) }), ...(diskOffload ? { offload: diskOffload } : {}),
      ...(diskEviction ? { eviction: diskEviction } : {}), ...(diskShared ? { shared: true } : {}),
    },
  }),
});

/** The last path component: labels must not depend on where the spec ran. */
const baseName = (path: string): string => path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1);

function unique(origin: SpecOrigin, field: string, labels: string[]): void {
  labels.forEach((l, i) => {
    const first = labels.indexOf(l);
    if (first !== i) throw new KvsimInputError(`${origin.source}: ${field}.${i}: duplicate label "${l}" (same as ${field}.${first}; give one a "label")`);
  });
}

const describe = (o: Record<string, unknown>): string => {
  const set = Object.entries(o).filter(([k, v]) => k !== "name" && k !== "label" && v !== undefined);
  return set.length ? `(${set.map(([k, v]) => `${k}=${v}`).join(",")})` : "";
};

/** The fleets each run is repeated over: instances × routers × session affinities, or one run without a fleet. */
function fleetsOf(spec: ServingSweepSpec, origin: SpecOrigin): (Required<FleetCell> | undefined)[] {
  if (spec.instances === undefined) {
    const field = spec.routers !== undefined ? "routers" : spec.sessionAffinity !== undefined ? "sessionAffinity" : undefined;
    if (field) throw new KvsimInputError(`${origin.source}: ${field}: routers and sessionAffinity route among a fleet's instances: give "instances"`);
    return [undefined];
  }
  const routers = spec.routers ?? ["round-robin"];
  routers.forEach((r, i) => at(origin, `routers.${i}`, () => routerEntry(r)));
  const affinities = spec.sessionAffinity ?? ["free"];
  for (const [field, values] of [["instances", spec.instances], ["routers", routers], ["sessionAffinity", affinities]] as const) {
    const list: readonly unknown[] = values;
    const i = list.findIndex((v, k) => list.indexOf(v) !== k);
    if (i >= 0) throw new KvsimInputError(`${origin.source}: ${field}.${i}: duplicate ${JSON.stringify(list[i])} (same as ${field}.${list.indexOf(list[i])})`);
  }
  return spec.instances.flatMap((instances) => routers.flatMap((router) => affinities.map((sessionAffinity) => ({ instances, router, sessionAffinity }))));
}

/**
 * Expands a serving sweep spec into its rows, reading every file it names and checking every
 * deployment and scheduler before any run starts: an unknown model, GPU, scheduler option or
 * eviction policy, a bad workload spec or trace line, a model that does not fit its GPU is an
 * input error naming the field.
 */
export async function planServingSweepWith(spec: ServingSweepSpec, origin: SpecOrigin, sources: ServingSweepSources): Promise<ServingSweepPlan> {
  const workloads = spec.workloads.map((entry, i) => at(origin, `workloads.${i}`, () => {
    if (typeof entry === "string" || "workload" in entry) {
      const path = typeof entry === "string" ? entry : entry.workload;
      const value = sources.workload(path, origin) as SyntheticWorkloadInput;
      syntheticStream(value, 0, path); // validates the spec now
      return { label: (typeof entry === "string" ? undefined : entry.label) ?? baseName(path).replace(/\.json$/, ""), workload: { spec: value, source: path } };
    }
    if ("spec" in entry) {
      syntheticStream(entry.spec as SyntheticWorkloadInput, 0, entry.label);
      return { label: entry.label, workload: { spec: entry.spec as SyntheticWorkloadInput, source: entry.label } };
    }
    return { label: entry.label ?? baseName(entry.trace), workload: { requests: sources.trace(entry.trace, entry.format ?? "auto", origin) } };
  }));
  unique(origin, "workloads", workloads.map((w) => w.label));
  const deployments = spec.deployments.map((d, i) => at(origin, `deployments.${i}`, () => {
    const model = d.model.endsWith(".json") ? sources.modelConfig(d.model, origin) : modelPreset(d.model);
    const gpu = gpuPreset(d.gpu);
    const tp = d.tp ?? 1;
    return { label: d.label ?? `${model.name}@${gpu.name}${tp > 1 ? `x${tp}` : ""}`, model, gpu, tp, gpuMemoryUtilization: d.gpuMemoryUtilization };
  }));
  unique(origin, "deployments", deployments.map((d) => d.label));
  const schedulers = spec.schedulers.map((entry, i) => at(origin, `schedulers.${i}`, () => {
    const s = typeof entry === "string" ? { name: entry } : entry;
    if (s.name !== "vllm" && (s.prefixCaching !== undefined || s.eviction !== undefined)) throw new KvsimInputError(`prefixCaching and eviction are vllm's; ${s.name} has no prefix cache`);
    if (s.name === "vllm" && s.chunkSize !== undefined) throw new KvsimInputError("chunkSize is sarathi's; vllm chunks prefills to maxBatchedTokens");
    if (s.name === "vllm" && s.watermarkFraction !== undefined) throw new KvsimInputError("watermarkFraction is Vidur's schedulers'; vllm keeps no watermark");
    if (s.eviction !== undefined) blockEviction(s.eviction, {}, "eviction");
    if (s.hostBlocks === undefined && (s.offload !== undefined || s.hostLink !== undefined || s.loadOverlap !== undefined || s.preemption !== undefined || s.hostLoad !== undefined)) {
      throw new KvsimInputError("offload, hostLink, loadOverlap, preemption and hostLoad shape a host tier: give hostBlocks");
    }
    if (s.hostEviction !== undefined) {
      if (s.hostBlocks === undefined) throw new KvsimInputError("hostEviction evicts a host tier's blocks: give hostBlocks");
      blockEviction(s.hostEviction, {}, "hostEviction");
    }
    if (s.hostBlocks !== undefined && (s.name !== "vllm" || s.prefixCaching === false)) throw new KvsimInputError("hostBlocks needs the vllm scheduler with prefix caching");
    if (s.diskBlocks === undefined && (s.diskLink !== undefined || s.diskOffload !== undefined || s.diskEviction !== undefined || s.diskShared !== undefined)) {
      throw new KvsimInputError("diskLink, diskOffload, diskEviction and diskShared shape a disk tier: give diskBlocks");
    }
    if (s.diskShared && spec.instances === undefined) throw new KvsimInputError("diskShared is one store for a fleet's instances: give instances");
    if (s.diskBlocks !== undefined && s.hostBlocks === undefined) throw new KvsimInputError("diskBlocks puts a disk tier below the host tier: give hostBlocks");
    if (s.diskEviction !== undefined) blockEviction(s.diskEviction, {}, "diskEviction");
    if (s.cacheModel !== undefined && (s.name !== "vllm" || s.prefixCaching === false)) throw new KvsimInputError("cacheModel needs the vllm scheduler with prefix caching");
    return { ...s, label: ("label" in s && s.label) || s.name + describe(s) };
  }));
  unique(origin, "schedulers", schedulers.map((s) => s.label));
  const profile = spec.timeModel === undefined || spec.timeModel === "roofline" ? undefined : await sources.tables(spec.timeModel, origin).catch((err: unknown) => {
    throw err instanceof KvsimInputError ? new KvsimInputError(`${origin.source}: timeModel: ${err.message}`) : err;
  });
  const tables = profile?.tables;
  const slo = { ...(spec.slo?.ttftMs !== undefined ? { ttftS: spec.slo.ttftMs / 1000 } : {}), ...(spec.slo?.tpotMs !== undefined ? { tpotS: spec.slo.tpotMs / 1000 } : {}) };
  const seeds: (number | null)[] = spec.seeds ?? [null];
  if (new Set(seeds).size !== seeds.length) throw new KvsimInputError(`${origin.source}: seeds: duplicate seed`);
  const rates: (number | null)[] = spec.qps ?? [null];
  const sizes: (number | null)[] = spec.kvBlocks ?? [null];
  const fleets = fleetsOf(spec, origin);
  if (spec.instances !== undefined) {
    schedulers.forEach((s, i) => at(origin, `schedulers.${i}`, () =>
      checkFleetFuture({ scheduler: s.name, eviction: s.eviction, hostTier: { eviction: s.hostEviction, disk: { eviction: s.diskEviction } } }, { host: "hostEviction", disk: "diskEviction" })));
  }

  // Each deployment × scheduler × cache size is planned once now, so that one that cannot run fails here.
  deployments.forEach((d, di) => schedulers.forEach((s, si) => sizes.forEach((kv) => at(origin, `deployments.${di} with schedulers.${si}`, () =>
    servingKvBlocks({ model: d.model, gpu: d.gpu, tensorParallel: d.tp, gpuMemoryUtilization: d.gpuMemoryUtilization, scheduler: s.name,
      maxNumSeqs: s.maxNumSeqs, maxBatchedTokens: s.maxBatchedTokens, chunkSize: s.chunkSize, watermarkFraction: s.watermarkFraction, blockSize: s.blockSize,
      kvBlocks: kv ?? undefined, timeModel: tables })))));

  const rows: ServingSweepRow[] = [];
  for (const seed of seeds) for (const w of workloads) for (const d of deployments) for (const s of schedulers) for (const qps of rates) for (const kv of sizes) for (const fleet of fleets) {
    const job: ServingJob = {
      row: rows.length, workload: w.workload, seed: seed ?? 0, qps, model: d.model, gpu: d.gpu, tensorParallel: d.tp,
      ...(d.gpuMemoryUtilization !== undefined ? { gpuMemoryUtilization: d.gpuMemoryUtilization } : {}),
      scheduler: s.name, maxNumSeqs: s.maxNumSeqs, maxBatchedTokens: s.maxBatchedTokens, chunkSize: s.chunkSize, watermarkFraction: s.watermarkFraction, blockSize: s.blockSize,
      prefixCaching: s.prefixCaching, eviction: s.eviction, ...(kv !== null ? { kvBlocks: kv } : {}), ...(profile ? { tables: profile.key } : {}), slo,
      ...(s.hostBlocks !== undefined ? { hostTier: hostTierOf(s.hostBlocks, s) } : {}),
      ...(s.cacheModel !== undefined ? { cacheModel: s.cacheModel } : {}),
      ...(fleet ? { fleet } : {}),
    };
    const fleetKey = fleet ? `/instances=${fleet.instances}/router=${fleet.router}/sessionAffinity=${fleet.sessionAffinity}` : "";
    rows.push({
      index: rows.length, key: `${w.label}/${d.label}/${s.label}/qps=${qps ?? "given"}/kv=${kv ?? "planned"}${fleetKey}/${seed ?? "default"}`,
      workload: w.label, deployment: d.label, scheduler: s.label, qps, kvBlocks: kv, seed, ...fleet, job,
    });
  }
  // The hash covers what the runs read, not where files were: a moved spec with the same contents resumes.
  const tableBytes = tables ? [...Object.values(tables.linear), tables.decode, tables.prefill].map((t) => new Uint8Array(t.buffer, t.byteOffset, t.byteLength)) : [];
  const specHash = await sha256Hex([JSON.stringify({ name: spec.name, rows: rows.map((r) => ({ ...r.job, tables: undefined })) }), ...tableBytes]);
  return { name: spec.name, specHash, rows, tables: new Map(profile ? [[profile.key, profile.tables]] : []) };
}
