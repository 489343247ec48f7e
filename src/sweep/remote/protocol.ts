import type { JobOutcome, SweepJob } from "../job.js";
import type { ServingJob, ServingJobOutcome } from "../../timed/sweep/job.js";

/**
 * The BullMQ queue the coordinators and workers of one kvsim version share (several sweeps may use
 * it at once). One queue per version: a worker of another version never takes a job it would have
 * to refuse, so mixed fleets leave each job to the workers that can run it.
 */
export const sweepQueue = (version: string): string => `kvsim-sweeps-${version}`;

/** Redis key of a trace, by the sha256 of its contents, stored once in kvsim's binary format. */
export const traceKey = (digest: string): string => `kvsim:trace:${digest}`;

/** How long traces and finished jobs stay in Redis: long enough to resume a sweep days later. */
export const RETENTION_SECONDS = 7 * 24 * 3600;

/**
 * A BullMQ job: one batch of a sweep's rows, self-contained but for the traces it names. Page
 * replays name their traces; timed serving runs (`kind: "serving"`) carry their requests or
 * workload specs themselves and name none.
 */
export interface BatchJobData {
  /** Workers of another version refuse the job: results must not depend on who ran them. */
  kvsimVersion: string;
  specHash: string;
  kind?: "serving";
  jobs: SweepJob[] | ServingJob[];
  /** traceId → trace digest, for the traces these rows replay. */
  traces: Record<number, string>;
}

export type BatchJobResult = JobOutcome[] | ServingJobOutcome[];
