import { simulateFleet } from "../fleet.js";
import type { GpuSpec } from "../gpus.js";
import type { HostTierOptions } from "../host-tier.js";
import type { ModelSpec } from "../models.js";
import { readProfileTables, type ProfileTables } from "../profile-tables.js";
import type { ServingRequest } from "../requests.js";
import type { ServingSummary } from "../results.js";
import type { SessionAffinity } from "../routers/session-affinity.js";
import { requestsFor } from "../reads-future.js";
import { simulateServing, simulateServingStream, type CacheModel, type SchedulerName } from "../simulate.js";
import { atQps } from "../capacity.js";
import { specAtQps, syntheticStream, type SyntheticWorkloadInput } from "../workloads.js";
import type { BatchExecutor } from "../../sweep/dispatch.js";

/**
 * One row of a serving sweep as a worker runs it: everything the run needs, structured-cloneable
 * (for a Piscina thread), nothing it could get wrong by itself.
 */
export interface ServingJob {
  row: number;
  /** A trace's requests, or a synthetic workload spec drawn from `seed`. */
  workload: { requests: ServingRequest[] } | { spec: SyntheticWorkloadInput; source: string };
  seed: number;
  /** The arrival rate the requests are brought to; null: as given. */
  qps: number | null;
  model: ModelSpec;
  gpu: GpuSpec;
  tensorParallel: number;
  gpuMemoryUtilization?: number;
  scheduler: SchedulerName;
  maxNumSeqs?: number;
  maxBatchedTokens?: number;
  chunkSize?: number;
  watermarkFraction?: number;
  blockSize?: number;
  prefixCaching?: boolean;
  eviction?: string;
  hostTier?: HostTierOptions;
  cacheModel?: CacheModel;
  kvBlocks?: number;
  /** Vidur-format tables by their key in the plan (in Node, the directory's absolute path); absent: the roofline. */
  tables?: string;
  slo: { ttftS?: number; tpotS?: number };
  /** Run `instances` copies of the deployment behind `router`; the row's metrics are the fleet's. */
  fleet?: { instances: number; router: string; sessionAffinity: SessionAffinity };
}

export interface ServingJobOutcome {
  row: number;
  metrics?: Record<string, number>;
  error?: string;
  /** Wall time of the run (timing only; never written to byte-compared files). */
  ms: number;
}

/** The summary's figures as one flat record, without the wall time (results must not depend on the machine). */
export function servingMetrics(s: ServingSummary): Record<string, number> {
  const out: Record<string, number> = { requests: s.requests, kvBlocks: s.kvBlocks };
  for (const d of ["ttft", "tpot", "itl", "e2e"] as const) for (const [k, v] of Object.entries(s[d])) out[`${d}.${k}`] = v;
  for (const [k, v] of Object.entries(s.throughput)) out[`throughput.${k}`] = v;
  if (s.goodput) {
    out["goodput.requestsPerS"] = s.goodput.requestsPerS;
    out["goodput.attainment"] = s.goodput.attainment;
  }
  Object.assign(out, {
    preemptions: s.preemptions, prefixHitTokens: s.prefixHitTokens, prefixBlockHitRate: s.prefixBlocks.hitRate, prefilledTokens: s.tokens.prefilled, iterations: s.iterations, meanBatchSize: s.meanBatchSize,
    meanTokensPerIteration: s.meanTokensPerIteration, "kvUtilization.mean": s.kvUtilization.mean, "kvUtilization.peak": s.kvUtilization.peak,
  });
  if (s.hostTier) {
    const h = s.hostTier;
    Object.assign(out, {
      "hostTier.hitTokens": h.hitTokens, "hostTier.offloadedBlocks": h.offloadedBlocks, "hostTier.loadedBlocks": h.loadedBlocks,
      "hostTier.toHostUtilization": h.toHostUtilization, "hostTier.fromHostUtilization": h.fromHostUtilization,
    });
  }
  return out;
}

const NULL_SINK = { request: () => {}, iteration: () => {} };

/** Runs one job; tables it names are taken from `tables`, else read from their directory once (a Node worker's first job). */
export function runServingJob(job: ServingJob, tables: Map<string, ProfileTables>): ServingSummary {
  let timeModel: ProfileTables | undefined;
  if (job.tables !== undefined) {
    timeModel = tables.get(job.tables) ?? readProfileTables(job.tables);
    tables.set(job.tables, timeModel);
  }
  const options = {
    model: job.model, gpu: job.gpu, tensorParallel: job.tensorParallel, gpuMemoryUtilization: job.gpuMemoryUtilization, scheduler: job.scheduler,
    maxNumSeqs: job.maxNumSeqs, maxBatchedTokens: job.maxBatchedTokens, chunkSize: job.chunkSize, watermarkFraction: job.watermarkFraction, blockSize: job.blockSize,
    prefixCaching: job.prefixCaching, eviction: job.eviction, kvBlocks: job.kvBlocks, timeModel, slo: job.slo, hostTier: job.hostTier, cacheModel: job.cacheModel,
  };
  if ("requests" in job.workload) {
    const requests = job.qps === null ? job.workload.requests : atQps(job.workload.requests, job.qps);
    return job.fleet ? simulateFleet({ ...options, requests, ...job.fleet }).fleet : simulateServing({ ...options, requests }).summary;
  }
  const { spec, source } = job.workload;
  const requests = syntheticStream(job.qps === null ? spec : specAtQps(spec, job.qps), job.seed, source);
  // simulateFleet takes the requests as an array: it orders them by arrival itself.
  return job.fleet ? simulateFleet({ ...options, requests: [...requests], ...job.fleet }).fleet : simulateServingStream({ ...options, requests: requestsFor(options, requests) }, NULL_SINK);
}

/** Runs a batch of jobs, catching each one's failure separately. */
export function runServingJobs(jobs: readonly ServingJob[], tables: Map<string, ProfileTables>): ServingJobOutcome[] {
  return jobs.map((job) => {
    const t0 = performance.now();
    try {
      return { row: job.row, metrics: servingMetrics(runServingJob(job, tables)), ms: performance.now() - t0 };
    } catch (err) {
      return { row: job.row, error: err instanceof Error ? err.message : String(err), ms: performance.now() - t0 };
    }
  });
}

/**
 * Runs batches on the calling thread, each after `defer` (setImmediate in Node, a timer in a page)
 * so that the caller stays responsive and can stop between batches; `tables` are the plan's.
 */
export function inlineServingExecutor(tables: Map<string, ProfileTables>, defer: (run: () => void) => void): BatchExecutor<ServingJob, ServingJobOutcome> {
  return {
    run: (jobs, stopped) => new Promise((resolve) => defer(() => resolve(stopped() ? [] : runServingJobs(jobs, tables)))),
    destroy: async () => {},
  };
}
